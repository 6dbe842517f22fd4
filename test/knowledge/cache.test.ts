/** Start-up caches: parsed YAML and the trained intent classifier, reused only while unchanged. */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { loadContent } from '../../src/app.js';
import { ChecklistSchema } from '../../src/checklist/definition.js';
import { decodePacked, encodePacked } from '../../src/disk-cache.js';
import { DeclinesSchema } from '../../src/knowledge/declines.js';
import { loadKnowledge } from '../../src/knowledge/index.js';
import { NzCouncilsSchema } from '../../src/knowledge/nz-councils.js';
import { RegisterSchema } from '../../src/knowledge/register.js';
import { EntryFrontMatterSchema } from '../../src/knowledge/schema.js';
import { IntentModel } from '../../src/retrieval/intent.js';

const FIXTURE = new URL('../fixtures/knowledge', import.meta.url).pathname;
let dir: string;
let knowledgeDir: string;
let cacheDir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sca-cache-'));
  knowledgeDir = join(dir, 'knowledge');
  cacheDir = join(dir, 'cache');
  await cp(FIXTURE, knowledgeDir, { recursive: true });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const plain = (c: Awaited<ReturnType<typeof loadContent>>) =>
  JSON.parse(
    JSON.stringify({ ...c.knowledge, byId: [...c.knowledge.byId.keys()] }, (_k, v) =>
      v instanceof Map ? [...v.entries()] : v,
    ),
  );

/** The keys the parsed-YAML cache holds: its first line names them. */
const cachedKeys = async (): Promise<string[]> =>
  JSON.parse((await readFile(join(cacheDir, 'yaml-2.bin'), 'utf8')).split('\n')[0] ?? '').keys;

describe('the parsed-YAML cache', () => {
  it('gives the same knowledge from the cache as from the files', async () => {
    const fresh = await loadContent(knowledgeDir);
    const first = await loadContent(knowledgeDir, [cacheDir]);
    expect(await readdir(cacheDir)).toContain('yaml-2.bin');
    const cached = await loadContent(knowledgeDir, [cacheDir]);
    expect(plain(first)).toEqual(plain(fresh));
    expect(plain(cached)).toEqual(plain(fresh));
    expect([...cached.checklists.keys()]).toEqual([...fresh.checklists.keys()]);
  });

  it('reads a changed file afresh, and keeps only what the last load used', async () => {
    await loadContent(knowledgeDir, [cacheDir]);
    const before = await cachedKeys();
    const [file] = (await readdir(join(knowledgeDir, 'guidance'))).filter((f) => f.endsWith('.md'));
    const path = join(knowledgeDir, 'guidance', file ?? '');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/^title: .*$/m, 'title: A title changed since the cache'));
    const changed = await loadContent(knowledgeDir, [cacheDir]);
    expect(changed.knowledge.entries.map((e) => e.title)).toContain(
      'A title changed since the cache',
    );
    const after = await cachedKeys();
    expect(after).toHaveLength(before.length);
    expect(after).not.toEqual(before);
  });

  it('is left as it is by a load that reads only some of the files (the CLI)', async () => {
    await loadContent(knowledgeDir, [cacheDir]);
    const written = await readFile(join(cacheDir, 'yaml-2.bin'));
    const full = await cachedKeys();
    // The knowledge alone, as the CLI loads it: no checklists or contacts.
    const knowledge = await loadKnowledge(knowledgeDir, { cacheDirs: [cacheDir] });
    expect(knowledge.entries.length).toBeGreaterThan(0);
    expect(await cachedKeys()).toEqual(full);
    expect((await readFile(join(cacheDir, 'yaml-2.bin'))).equals(written)).toBe(true);
    // So the server's next start finds every text it needs and writes nothing either.
    await loadContent(knowledgeDir, [cacheDir]);
    expect((await readFile(join(cacheDir, 'yaml-2.bin'))).equals(written)).toBe(true);
  });

  it('reads a later folder when the first is out of date, then brings the first up to date', async () => {
    // The data folder's cache was written by the old build; then a file changed, and the new
    // build's cache (dist/cache) was made from the files as they are now.
    await loadContent(knowledgeDir, [cacheDir]);
    const file = join(knowledgeDir, 'guidance', 'gifts-koha.md');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('title: Gifts,', 'title: Presents,'),
    );
    const buildDir = join(dir, 'build-cache');
    const fresh = await loadContent(knowledgeDir, [buildDir]);
    const spies = [EntryFrontMatterSchema, ChecklistSchema].map((s) => vi.spyOn(s, 'safeParse'));
    try {
      const loaded = await loadContent(knowledgeDir, [cacheDir, buildDir]);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      expect(plain(loaded)).toEqual(plain(fresh));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const build = JSON.parse(
      (await readFile(join(buildDir, 'yaml-2.bin'), 'utf8')).split('\n')[0] ?? '',
    ).keys;
    expect((await cachedKeys()).sort()).toEqual([...build].sort());
    // Now the first folder has it all, and the next load writes nothing.
    const written = await readFile(join(cacheDir, 'yaml-2.bin'));
    await loadContent(knowledgeDir, [cacheDir, buildDir]);
    expect((await readFile(join(cacheDir, 'yaml-2.bin'))).equals(written)).toBe(true);
  });

  it('still refuses a broken file, and ignores a corrupt cache', async () => {
    await loadContent(knowledgeDir, [cacheDir]);
    await writeFile(join(cacheDir, 'yaml-2.bin'), '{not json');
    await expect(loadContent(knowledgeDir, [cacheDir])).resolves.toBeTruthy();
    await writeFile(join(knowledgeDir, 'sister-cities.yaml'), 'councils: [unclosed\n');
    await expect(loadContent(knowledgeDir, [cacheDir])).rejects.toThrow(/sister-cities\.yaml/);
  });
});

describe('the checked-YAML cache', () => {
  const schemas = () => [
    EntryFrontMatterSchema,
    DeclinesSchema,
    RegisterSchema,
    NzCouncilsSchema,
    ChecklistSchema,
  ];

  it('does not check an unchanged file again, and gives the same knowledge', async () => {
    const fresh = await loadContent(knowledgeDir);
    await loadContent(knowledgeDir, [cacheDir]);
    const spies = schemas().map((schema) => vi.spyOn(schema, 'safeParse'));
    try {
      const cached = await loadContent(knowledgeDir, [cacheDir]);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      // Strictly the same: no value the check makes is lost by keeping it as JSON.
      expect(cached.knowledge).toStrictEqual(fresh.knowledge);
      expect(cached.checklists).toStrictEqual(fresh.checklists);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('checks a changed checklist again, so a mistake in it is still caught', async () => {
    await loadContent(knowledgeDir, [cacheDir]);
    const path = join(knowledgeDir, 'pretrip.yaml');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/^(\s*-?\s*type:) \w+/m, '$1 maybe'));
    const spy = vi.spyOn(ChecklistSchema, 'safeParse');
    try {
      await expect(loadContent(knowledgeDir, [cacheDir])).rejects.toThrow(/pretrip\.yaml/);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('checks a changed file again, so a mistake in it is still caught', async () => {
    await loadContent(knowledgeDir, [cacheDir]);
    const path = join(knowledgeDir, 'guidance', 'gifts-koha.md');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/^reviewBy: .*$/m, 'reviewBy: 2020-01-01'));
    const spy = vi.spyOn(EntryFrontMatterSchema, 'safeParse');
    try {
      await expect(loadContent(knowledgeDir, [cacheDir])).rejects.toThrow(
        /gifts-koha.*field "reviewBy": must be later than reviewed/s,
      );
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('checks again when the checking code changes', async () => {
    const code = join(dir, 'rules.js');
    /** Loads one text in a fresh copy of the module, as a new process would, with `rules` as its code. */
    const checksIn = async (rules: string) => {
      await writeFile(code, rules);
      vi.resetModules();
      const fresh = await import('../../src/knowledge/problems.js');
      const schema = z.strictObject({ name: z.string() });
      const spy = vi.spyOn(schema, 'safeParse');
      const checked = await fresh.withYamlCache([cacheDir], async () =>
        fresh.checkYamlText('name: Aroha\n', schema, `file://${code}`),
      );
      expect(checked).toEqual({ success: true, data: { name: 'Aroha' } });
      return spy.mock.calls.length;
    };
    expect(await checksIn('rules, version 1')).toBe(1);
    expect(await checksIn('rules, version 1')).toBe(0);
    expect(await checksIn('rules, version 2')).toBe(1);
  });
});

describe('the intent classifier cache', () => {
  const examples = [
    { text: 'can I accept a gift from the delegation', label: 'gifts' },
    { text: 'koha for visitors', label: 'gifts' },
    { text: 'take my laptop to china', label: 'devices' },
    { text: 'phone security overseas', label: 'devices' },
  ];

  it('writes the weights once and predicts the same from them', async () => {
    const trained = new IntentModel(examples, [cacheDir]).predict('gift from visitors');
    const files = await readdir(cacheDir);
    expect(files.filter((f) => f.startsWith('intent-'))).toHaveLength(1);
    expect(trained.get('gifts')).toBeGreaterThan(trained.get('devices') ?? 1);
    // A different example set trains afresh rather than using these weights.
    new IntentModel([...examples, { text: 'hotel wifi', label: 'devices' }], [cacheDir]);
    expect((await readdir(cacheDir)).filter((f) => f.startsWith('intent-'))).toHaveLength(2);
  });

  // A fresh copy of the module has no weights in memory, as a new process would not.
  const freshModel = async () => {
    vi.resetModules();
    return (await import('../../src/retrieval/intent.js')).IntentModel;
  };

  it('loads the weights in a new process, and retrains when the file is corrupt', async () => {
    const other = [...examples, { text: 'declare a trip', label: 'declare' }];
    const expected = new IntentModel(other, [cacheDir]).predict('declare my trip');
    const [file] = (await readdir(cacheDir)).filter((f) => f.startsWith('intent-'));
    const path = join(cacheDir, file ?? '');
    // Loaded from the file: the same predictions (to float precision: weights are stored as 32-bit).
    const loaded = new (await freshModel())(other, [cacheDir]).predict('declare my trip');
    for (const [label, p] of expected) expect(loaded.get(label)).toBeCloseTo(p, 5);
    // A corrupt file is not used: the model retrains and writes a good one.
    await writeFile(path, '{"format": 5, "labels": [');
    const retrained = new (await freshModel())(other, [cacheDir]).predict('declare my trip');
    for (const [label, p] of expected) expect(retrained.get(label)).toBeCloseTo(p, 5);
    const good = decodePacked(await readFile(path));
    if (!good) throw new Error('the rewritten file does not decode');
    expect((good.meta as { format?: number }).format).toBe(5);
    // A file whose arrays disagree with its vocabulary is not used either.
    await writeFile(path, encodePacked({ ...good, arrays: good.arrays.slice(1) }));
    const again = new (await freshModel())(other, [cacheDir]).predict('declare my trip');
    for (const [label, p] of expected) expect(again.get(label)).toBeCloseTo(p, 5);
  });

  it('retrains rather than use a damaged vocabulary table', async () => {
    const other = [...examples, { text: 'report an approach', label: 'report' }];
    const expected = new IntentModel(other, [cacheDir]).predict('report the approach');
    const [file] = (await readdir(cacheDir)).filter((f) => f.startsWith('intent-'));
    const path = join(cacheDir, file ?? '');
    const good = decodePacked(await readFile(path));
    if (!good) throw new Error('the file does not decode');
    const [counts, rows, cols, values, bias, keyA, keyB, ids] = good.arrays as Uint32Array[];
    const damaged = [
      // A slot naming a feature the model does not have.
      [counts, rows, cols, values, bias, keyA, keyB, Uint32Array.from(ids ?? [], () => 1e6)],
      // A weight for a label the model does not have.
      [counts, rows, Uint16Array.from(cols ?? [], () => 999), values, bias, keyA, keyB, ids],
      // A table too small for its features (it could fill up, and a lookup never end).
      [
        counts,
        rows,
        cols,
        values,
        bias,
        new Uint32Array(2),
        new Uint32Array(2),
        new Uint32Array(2),
      ],
      // Key arrays of different lengths, or not a power of two.
      [counts, rows, cols, values, bias, keyA, new Uint32Array(3), ids],
    ];
    for (const arrays of damaged) {
      await writeFile(path, encodePacked({ ...good, arrays: arrays as Uint32Array[] }));
      const used = new (await freshModel())(other, [cacheDir]).predict('report the approach');
      for (const [label, p] of expected) expect(used.get(label)).toBeCloseTo(p, 5);
    }
  });

  it('uses a model that shares a base’s table only with that base', async () => {
    const Model = await freshModel();
    const base = new Model(examples, [cacheDir]);
    const more = [...examples, { text: 'visa for the mayor', label: 'visas' }];
    const expected = new Model(more, [cacheDir], undefined, base).predict('mayor visa');
    const files = (await readdir(cacheDir)).filter((f) => f.startsWith('intent-'));
    const shared = files.map((f) => join(cacheDir, f));
    const decoded = await Promise.all(shared.map(async (f) => decodePacked(await readFile(f))));
    const firstOf = (meta: unknown) => (meta as { first?: number } | undefined)?.first ?? -1;
    const meta = decoded.map((d) => firstOf(d?.meta));
    // The base's own file, and one that starts where the base's features end.
    expect(meta).toContain(0);
    const at = meta.findIndex((m) => m > 0);
    const good = decoded[at];
    const path = shared[at] ?? '';
    if (!good) throw new Error('the shared file does not decode');
    // A shared file claiming another base's length is not used: the model retrains and rewrites it.
    const wrong = { ...(good.meta as object), first: (meta[at] ?? 0) - 1 };
    await writeFile(path, encodePacked({ ...good, meta: wrong }));
    const Fresh = await freshModel();
    const again = new Fresh(more, [cacheDir], undefined, new Fresh(examples, [cacheDir]));
    expect(again.predict('mayor visa')).toEqual(expected);
    expect(firstOf(decodePacked(await readFile(path))?.meta)).toBe(meta[at]);
    // Nor is it used by a model with no base: that one has a file of its own.
    const alone = new Fresh(more, [cacheDir]).predict('mayor visa');
    for (const [label, p] of expected) expect(alone.get(label)).toBeCloseTo(p, 5);
    expect((await readdir(cacheDir)).filter((f) => f.startsWith('intent-'))).toHaveLength(3);
  });
});
