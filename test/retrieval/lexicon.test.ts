import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodePacked, encodePacked } from '../../src/disk-cache.js';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import { Retriever } from '../../src/retrieval/index.js';
import { SHIPPED_KNOWLEDGE } from '../helpers/server.js';

let knowledge: Knowledge;
let dir: string;
beforeAll(async () => {
  knowledge = await loadKnowledge(SHIPPED_KNOWLEDGE);
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lexicon-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const QUESTIONS = [
  'can I accept a koha from the visiting delegation',
  'hotel wifi in Shanghai, is it safe for my laptop?',
  'someone on LinkedIn keeps asking about our port',
  'what is the weather in Suzhou next week',
  'gfits from the delagation',
];

/** Everything a retrieval decides, to the last digit. */
const decisions = (r: Retriever) =>
  QUESTIONS.map((q) => {
    const x = r.search(q);
    return {
      answered: x.answered,
      confidence: x.confidence,
      hits: x.hits.map((h) => [h.entry.id, h.score, h.coverage]),
    };
  });

const lexiconFiles = async () => (await readdir(dir)).filter((f) => f.startsWith('lexicon-'));

describe('the retriever’s word-level data on disk', () => {
  it('is written on the first start and read back on the next, deciding exactly the same', async () => {
    const fresh = decisions(new Retriever(knowledge));
    expect(decisions(new Retriever(knowledge, undefined, undefined, [dir]))).toEqual(fresh);
    expect(await lexiconFiles()).toHaveLength(1);
    // With the analysed terms gone, a start that still writes none read the lexicon from disk.
    for (const f of await readdir(dir)) if (f.startsWith('terms-')) await rm(join(dir, f));
    expect(decisions(new Retriever(knowledge, undefined, undefined, [dir]))).toEqual(fresh);
    expect((await readdir(dir)).some((f) => f.startsWith('terms-'))).toBe(false);
  });

  it('ignores a damaged, truncated or inconsistent file, and builds afresh', async () => {
    const fresh = decisions(new Retriever(knowledge));
    new Retriever(knowledge, undefined, undefined, [dir]);
    const [name] = await lexiconFiles();
    const file = join(dir, name as string);
    const good = await readFile(file);
    const packed = decodePacked(good);
    if (!packed) throw new Error('the written file does not decode');
    // A posting that points past the last entry.
    const docs = packed.arrays[1] as Uint32Array;
    const wrong = Uint32Array.from(docs);
    wrong[0] = 1_000_000;
    const broken = [
      Buffer.from('not a cache file'),
      good.subarray(0, Math.floor(good.length / 2)),
      encodePacked({ ...packed, arrays: packed.arrays.slice(1) }),
      encodePacked({ ...packed, arrays: [packed.arrays[0]!, wrong, ...packed.arrays.slice(2)] }),
      encodePacked({ meta: { entries: 'x' }, arrays: packed.arrays }),
    ];
    for (const bad of broken) {
      await writeFile(file, bad);
      expect(decisions(new Retriever(knowledge, undefined, undefined, [dir]))).toEqual(fresh);
    }
  });

  it('builds a file of its own for changed guidance', async () => {
    new Retriever(knowledge, undefined, undefined, [dir]);
    const changed: Knowledge = {
      ...knowledge,
      entries: knowledge.entries.map((e, i) =>
        i ? e : { ...e, questions: [...e.questions, 'is a jade vase from the mayor of Xiamen ok'] },
      ),
    };
    const r = new Retriever(changed, undefined, undefined, [dir]);
    expect(await lexiconFiles()).toHaveLength(2);
    expect(decisions(r)).toEqual(decisions(new Retriever(changed)));
  });
});

describe('packed files', () => {
  it('read back the same numbers from bytes that start on any boundary', () => {
    const value = {
      meta: { note: 'kia ora' },
      arrays: [Uint32Array.of(1, 2, 3), Int32Array.of(-1), Float64Array.of(0.1, Math.PI)],
    };
    const bytes = encodePacked(value);
    for (const shift of [0, 1, 3, 4]) {
      const shifted = new Uint8Array(bytes.length + shift);
      shifted.set(bytes, shift);
      const back = decodePacked(shifted.subarray(shift));
      expect(back?.meta).toEqual(value.meta);
      expect(back?.arrays.map((a) => [a.constructor.name, [...a]])).toEqual(
        value.arrays.map((a) => [a.constructor.name, [...a]]),
      );
    }
  });

  it('refuse a header naming an unknown kind of array, a bad length, or arrays past the end', () => {
    /** A file with the given header and eight bytes of data after it. */
    const file = (header: unknown) => {
      const json = Buffer.from(JSON.stringify(header));
      const head = Buffer.alloc(12);
      head.write('SCAPACK1', 0, 'latin1');
      head.writeUInt32LE(json.length, 8);
      const body = Buffer.concat([head, json]);
      return Buffer.concat([body, Buffer.alloc(((8 - (body.length % 8)) % 8) + 8)]);
    };
    const order = encodePacked({ meta: null, arrays: [] }).includes('"LE"') ? 'LE' : 'BE';
    const fine = { order, meta: null, arrays: [{ kind: 'u32', length: 2 }] };
    expect([...(decodePacked(file(fine))?.arrays[0] ?? [])]).toEqual([0, 0]);
    for (const arrays of [
      [{ kind: 'constructor', length: 1 }],
      [{ kind: 'toString', length: 1 }],
      [{ kind: 'u32', length: -1 }],
      [{ kind: 'u32', length: 1.5 }],
      [{ kind: 'f64', length: 2 }],
    ])
      expect(decodePacked(file({ ...fine, arrays }))).toBeUndefined();
    expect(decodePacked(file({ ...fine, order: order === 'LE' ? 'BE' : 'LE' }))).toBeUndefined();
  });
});
