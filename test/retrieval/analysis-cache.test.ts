import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodePacked, encodePacked } from '../../src/disk-cache.js';
import { loadKnowledge } from '../../src/knowledge/index.js';
import { analyseAll } from '../../src/retrieval/analysis-cache.js';
import { hashes } from '../../src/retrieval/feature-table.js';
import { terms } from '../../src/retrieval/index.js';
import { intentFeatures } from '../../src/retrieval/intent.js';
import { entryKey, featuresOf, RemitModel } from '../../src/retrieval/remit.js';
import { SHIPPED_KNOWLEDGE } from '../helpers/server.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'terms-cache-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const TEXTS = ['Gifts from a visiting delegation', 'Phones and laptops overseas', 'koha'];

describe('the analysed-terms cache', () => {
  it('analyses as terms() does, and keeps the result on disk for the next start', async () => {
    expect(analyseAll(TEXTS, [dir])).toEqual(TEXTS.map(terms));
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    // A planted value proves the second call reads the file rather than analysing again.
    const file = join(dir, files[0] as string);
    await writeFile(file, JSON.stringify([['planted'], [], []]));
    expect(analyseAll(TEXTS, [dir])[0]).toEqual(['planted']);
  });

  it('analyses changed texts afresh, in a file of their own', async () => {
    analyseAll(TEXTS, [dir]);
    const changed = [...TEXTS.slice(0, 2), 'hospitality'];
    expect(analyseAll(changed, [dir])).toEqual(changed.map(terms));
    expect(await readdir(dir)).toHaveLength(2);
  });

  it('ignores a damaged or wrong-shaped file and still answers', async () => {
    analyseAll(TEXTS, [dir]);
    const [name] = await readdir(dir);
    const file = join(dir, name as string);
    for (const bad of ['{not json', '[["a"]]', '[[1],[2],[3]]', '"text"']) {
      await writeFile(file, bad);
      expect(analyseAll(TEXTS, [dir])).toEqual(TEXTS.map(terms));
    }
    // The damaged file was replaced with a good one.
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(TEXTS.map(terms));
  });

  it('works with no cache folder, and with one it cannot write', async () => {
    expect(analyseAll(TEXTS, [])).toEqual(TEXTS.map(terms));
    // A "folder" inside a plain file can never be made.
    await writeFile(join(dir, 'file'), '');
    expect(analyseAll(TEXTS, [join(dir, 'file', 'cache')])).toEqual(TEXTS.map(terms));
  });
});

describe('the remit model on disk', () => {
  const IN = ['can I accept a gift from the delegation', 'how do I report a concern'];
  const OUT = ['what is the weather in Suzhou', 'book me a flight to Xiamen'];
  const QUESTION = 'can I accept a koha from the visitors';

  it('scores the same from counts read back as from counts it made', async () => {
    const fresh = new RemitModel(IN, OUT).score(QUESTION);
    expect(new RemitModel(IN, OUT, [dir]).score(QUESTION)).toBe(fresh);
    const files = (await readdir(dir)).filter((f) => f.startsWith('remit-'));
    expect(files).toHaveLength(1);
    expect(new RemitModel(IN, OUT, [dir]).score(QUESTION)).toBe(fresh);
    // Planted counts prove the file is what is read.
    const file = join(dir, files[0] as string);
    const saved = decodePacked(await readFile(file));
    if (!saved) throw new Error('the remit file does not decode');
    const meta = saved.meta as { inTotal: number };
    await writeFile(
      file,
      encodePacked({
        meta: { ...meta, outTotal: meta.inTotal },
        // The same counts on both sides: every feature reads as neither in nor out of remit.
        arrays: [
          saved.arrays[0],
          saved.arrays[1],
          saved.arrays[2],
          saved.arrays[2],
        ] as Uint32Array[],
      }),
    );
    expect(new RemitModel(IN, OUT, [dir]).score(QUESTION)).toBe(0);
  });

  it('counts again when the file is damaged, or the examples change', async () => {
    new RemitModel(IN, OUT, [dir]);
    const [name] = await readdir(dir);
    await writeFile(join(dir, name as string), '{"features": [1, 2]}');
    expect(new RemitModel(IN, OUT, [dir]).score(QUESTION)).toBe(
      new RemitModel(IN, OUT).score(QUESTION),
    );
    // Counts whose parts do not fit together are not used: keys out of order (a binary search
    // would miss some), repeated keys, or a feature count that is not the number of keys.
    const inOrder = Uint32Array.of(1, 2, 3);
    for (const [keyA, keyB, features] of [
      [Uint32Array.of(3, 2, 1), inOrder, 3],
      [Uint32Array.of(1, 2, 2), Uint32Array.of(1, 2, 2), 3],
      [inOrder, inOrder, 2],
      [inOrder, inOrder, 4],
    ] as const) {
      await writeFile(
        join(dir, name as string),
        encodePacked({
          meta: { features, inTotal: 1, outTotal: 1 },
          arrays: [keyA, keyB, inOrder, inOrder],
        }),
      );
      expect(new RemitModel(IN, OUT, [dir]).score(QUESTION)).toBe(
        new RemitModel(IN, OUT).score(QUESTION),
      );
    }
    // Nor are keys and counts of different lengths.
    await writeFile(
      join(dir, name as string),
      encodePacked({
        meta: { features: 3, inTotal: 1, outTotal: 1 },
        arrays: [inOrder, inOrder, inOrder, Uint32Array.of(1)],
      }),
    );
    expect(new RemitModel(IN, OUT, [dir]).score(QUESTION)).toBe(
      new RemitModel(IN, OUT).score(QUESTION),
    );
    // Counts that do not match the features are not used either.
    await writeFile(
      join(dir, name as string),
      encodePacked({
        meta: { features: ['a'], inTotal: 1, outTotal: 1 },
        arrays: [Uint32Array.of(1)],
      }),
    );
    const fresh = new RemitModel(IN, OUT).score(QUESTION);
    expect(new RemitModel(IN, OUT, [dir]).score(QUESTION)).toBe(fresh);
    const more = [...OUT, 'can I accept a koha'];
    expect(new RemitModel(IN, more, [dir]).score(QUESTION)).toBe(
      new RemitModel(IN, more).score(QUESTION),
    );
  });
});

describe("the intent classifier's keys", () => {
  it('gives every feature of the shipped examples a key of its own', async () => {
    const k = await loadKnowledge(SHIPPED_KNOWLEDGE);
    const texts = k.entries.flatMap((e) => [e.title, ...e.questions]);
    const features = new Set(texts.flatMap((t) => intentFeatures(t)));
    const keys = new Set([...features].map((f) => hashes(f).join(':')));
    expect(features.size).toBeGreaterThan(30_000);
    expect(keys.size).toBe(features.size);
  });
});

describe("the remit model's keys", () => {
  it('gives every feature of the shipped examples and declines a key of its own', async () => {
    const k = await loadKnowledge(SHIPPED_KNOWLEDGE);
    const texts = [...k.entries.flatMap((e) => [e.title, ...e.questions]), ...(k.declines ?? [])];
    const features = new Set(texts.flatMap(featuresOf));
    const keys = new Set([...features].map((f) => hashes(f).join(':')));
    expect(features.size).toBeGreaterThan(40_000);
    expect(keys.size).toBe(features.size);
  });

  it("gives every entry's own features a key of their own", async () => {
    const k = await loadKnowledge(SHIPPED_KNOWLEDGE);
    const pairs = new Map(
      k.entries.flatMap((e, i) =>
        [e.title, ...e.questions].flatMap((t) =>
          featuresOf(t).map((f): [string, [string, number]] => [`${i}\t${f}`, [f, i]]),
        ),
      ),
    );
    const keys = new Set([...pairs.values()].map(([f, i]) => entryKey(...hashes(f), i).join(':')));
    expect(pairs.size).toBeGreaterThan(50_000);
    expect(keys.size).toBe(pairs.size);
  });
});

describe("the remit model's score for one entry", () => {
  const IN = [
    'can I take my council laptop to China',
    'should I bring my work phone overseas',
    'can I accept a gift from the delegation',
    'do I have to declare a koha from visitors',
  ];
  const LABELS = ['devices', 'devices', 'gifts', 'gifts'];
  const OUT = ['my laptop will not connect to the wifi', 'reset my phone password please'];
  const QUESTION = 'taking my council laptop to Japan, yes or no?';

  it("reads a question as its own entry's rather than as a decline", () => {
    const m = new RemitModel(IN, OUT, [], LABELS);
    // Against the entry whose examples it resembles it scores higher than against another entry.
    expect(m.scores(QUESTION, 'devices').entry).toBeGreaterThan(m.scores(QUESTION, 'gifts').entry);
    expect(m.scores('my laptop will not connect', 'devices').entry).toBeLessThan(0);
    // Without labels, or for an entry it never saw, it has nothing to say.
    expect(new RemitModel(IN, OUT).scores(QUESTION, 'devices').entry).toBe(0);
    expect(m.scores(QUESTION, 'no-such-entry').entry).toBe(0);
    expect(m.scores('', 'devices').entry).toBe(0);
    expect(() => new RemitModel(IN, OUT, [], ['devices'])).toThrow(/one label per text/);
  });

  it('scores the same from a file, and counts again when the file is damaged', async () => {
    const fresh = new RemitModel(IN, OUT, [], LABELS).scores(QUESTION, 'devices').entry;
    expect(new RemitModel(IN, OUT, [dir], LABELS).scores(QUESTION, 'devices').entry).toBe(fresh);
    const [name] = (await readdir(dir)).filter((f) => f.startsWith('remit-entries-'));
    if (!name) throw new Error("the entries' counts were not kept");
    // Planted counts prove the file is what is read: no entry has examples any more.
    const file = join(dir, name);
    const saved = decodePacked(await readFile(file));
    if (!saved) throw new Error("the entries' file does not decode");
    const meta = saved.meta as { labels: string[]; totals: number[] };
    await writeFile(
      file,
      encodePacked({ meta: { ...meta, labels: ['elsewhere', 'other'] }, arrays: saved.arrays }),
    );
    expect(new RemitModel(IN, OUT, [dir], LABELS).scores(QUESTION, 'devices').entry).toBe(0);
    // Parts that do not fit together (totals missing, keys out of order, counts of another
    // length) are not used.
    for (const broken of [
      { meta: { labels: meta.labels }, arrays: saved.arrays },
      { meta, arrays: [Uint32Array.of(2, 1), Uint32Array.of(1, 1), Uint16Array.of(1, 1)] },
      { meta, arrays: [Uint32Array.of(1, 2), Uint32Array.of(1, 1), Uint16Array.of(1)] },
    ]) {
      await writeFile(file, encodePacked(broken));
      expect(new RemitModel(IN, OUT, [dir], LABELS).scores(QUESTION, 'devices').entry).toBe(fresh);
    }
  });
});
