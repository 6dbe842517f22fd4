import MiniSearch from 'minisearch';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import { loadQuestionSet } from '../../src/quality/eval.js';
import { Bm25Index, Vocabulary } from '../../src/retrieval/bm25.js';
import { terms } from '../../src/retrieval/index.js';

/**
 * The index in bm25.ts replaced MiniSearch, which ranked entries until this round. It must rank
 * exactly as MiniSearch did with the options the retriever used: same documents, same order, same
 * scores, same matched terms. MiniSearch is the reference here.
 */
const FIELDS = ['title', 'questions', 'keywords', 'answer'] as const;
const OPTIONS = {
  prefix: (t: string) => t.length >= 5,
  fuzzy: (t: string) => (t.length >= 8 ? 2 : t.length >= 5 ? 1 : false),
  maxFuzzy: 2,
  combineWith: 'OR',
} as const;

let knowledge: Knowledge;
let questions: string[];
beforeAll(async () => {
  knowledge = await loadKnowledge('knowledge');
  const suite = await loadQuestionSet('test/quality/questions.yaml');
  questions = [
    ...suite.inScope.map((q) => q.q),
    ...suite.outOfScope.map((q) => q.q),
    // Typos, prefixes and words the guidance never uses.
    'foriegn interferance at the secruity briefing',
    'deleg gifts koha hospitalit',
    'jade vase watch bring',
    'council council council port',
    '',
    // A long message: more question terms and variants than the index's scratch space starts with.
    suite.inScope
      .slice(0, 40)
      .map((q) => q.q)
      .join(' '),
  ];
});

/**
 * Results in rank order, where scores equal to nine decimals count as a tie: two sums of the same
 * numbers added in another order may differ in the last bits, and a tie's order is arbitrary.
 */
function ranked<T extends { id: string | number; score: number }>(results: T[]): T[] {
  const tier = (r: T) => Math.round(r.score * 1e9);
  return [...results].sort((x, y) => tier(y) - tier(x) || String(x.id).localeCompare(String(y.id)));
}

function compare(reference: MiniSearch, ours: Bm25Index, query: string) {
  const a = ranked(reference.search(query));
  const found = ours.search(terms(query));
  // Ours comes best first.
  found.forEach((r, i) => {
    expect(r.score).toBeLessThanOrEqual((found[i - 1]?.score ?? Number.POSITIVE_INFINITY) + 1e-9);
  });
  const b = ranked(found);
  expect(b.map((r) => r.id)).toEqual(a.map((r) => String(r.id)));
  b.forEach((r, i) => {
    const ref = a[i];
    if (!ref) throw new Error('missing reference result');
    expect(r.score).toBeCloseTo(ref.score, 9);
    expect(new Set(r.terms)).toEqual(new Set(ref.terms));
    // Each matched term once.
    expect(r.terms).toHaveLength(new Set(r.terms).size);
    expect(r.queryTerms).toEqual(ref.queryTerms);
  });
  return b.length;
}

describe('the BM25 index', () => {
  it('ranks entries exactly as MiniSearch does, field boosts, prefixes and typos included', () => {
    const docs = knowledge.entries.map((e) => ({
      id: e.id,
      title: e.title,
      questions: e.questions.join('\n'),
      keywords: e.keywords.join(' '),
      answer: e.answer,
    }));
    const reference = new MiniSearch({
      fields: [...FIELDS],
      tokenize: terms,
      processTerm: (t: string) => t,
      searchOptions: { ...OPTIONS, boost: { title: 3, questions: 3, keywords: 2, answer: 1 } },
    });
    reference.addAll(docs);
    const ours = Bm25Index.of(
      docs.map((d) => ({ id: d.id, fields: FIELDS.map((f) => terms(d[f])) })),
      [3, 3, 2, 1],
      new Vocabulary(),
    );
    let matched = 0;
    for (const q of questions) matched += compare(reference, ours, q);
    expect(matched).toBeGreaterThan(questions.length * 10);
  });

  it('ranks example questions as MiniSearch does, sharing one vocabulary with another index', () => {
    const examples = knowledge.entries.flatMap((e) =>
      [e.title, ...e.questions].map((text, i) => ({ id: `${e.id}#${i}`, text })),
    );
    const reference = new MiniSearch({
      fields: ['text'],
      tokenize: terms,
      processTerm: (t: string) => t,
      searchOptions: OPTIONS,
    });
    reference.addAll(examples);
    const vocabulary = new Vocabulary();
    // Another index's words are in the shared vocabulary too; they must not leak into this one.
    Bm25Index.of(
      [{ id: 'other', fields: [terms('interfering secrecy passports zzzzzz')] }],
      [1],
      vocabulary,
    );
    const ours = Bm25Index.of(
      examples.map((x) => ({ id: x.id, fields: [terms(x.text)] })),
      [1],
      vocabulary,
    );
    const entryOf = examples.map((x) =>
      Number(knowledge.entries.findIndex((e) => x.id.startsWith(`${e.id}#`))),
    );
    for (const q of questions) {
      compare(reference, ours, q);
      // The best example of each entry: the first of that entry in MiniSearch's ranking.
      const first = new Map<number, { id: string; score: number }>();
      for (const r of reference.search(q)) {
        const group = entryOf[examples.findIndex((x) => x.id === r.id)] as number;
        if (!first.has(group)) first.set(group, { id: String(r.id), score: r.score });
      }
      const best = ours.bestByGroup(terms(q), entryOf);
      expect([...best.keys()].sort()).toEqual([...first.keys()].sort());
      for (const [group, r] of best) {
        expect(r.id).toBe(first.get(group)?.id);
        expect(r.score).toBeCloseTo(first.get(group)?.score ?? -1, 9);
      }
      // Each leader's matched terms, worked out when read, are those a full search gives it.
      const full = new Map(ours.search(terms(q)).map((r) => [r.doc, r]));
      const leaders = ours.bestByGroup(terms(q), entryOf);
      for (const r of leaders.values()) {
        expect(r.terms).toEqual(full.get(r.doc)?.terms);
        expect(r.queryTerms).toEqual(full.get(r.doc)?.queryTerms);
      }
      // The single best match is the first that search ranks, ties included.
      expect(ours.best(terms(q))).toEqual(ours.search(terms(q))[0]);
    }
    // A leader's terms come from the search's scratch space: read after the next search, they
    // would belong to another question, so reading them then throws.
    const [stale] = ours.bestByGroup(terms(questions[0] ?? ''), entryOf).values();
    ours.search(terms('gifts'));
    expect(() => stale?.terms).toThrow(/after a later search/);
    expect(ours.search(terms('zzzzzz'))).toEqual([]);
    expect(ours.best(terms('zzzzzz'))).toBeUndefined();
  }, 120_000); // MiniSearch searches 7,700-odd examples for every suite question: 30 s on a busy 2-core machine.
});

describe('a vocabulary', () => {
  it('gives a word, the longer words it begins, and near misses, each weighted', () => {
    const v = new Vocabulary();
    for (const w of ['delegation', 'delegations', 'delegate', 'gift']) v.add(w);
    const got = new Map(v.variants('delegation').map((x) => [x.term, x.weight]));
    expect(got.get('delegation')).toBe(1);
    // "delegations" both begins with the word and is one edit away: it counts as a prefix.
    expect(got.get('delegations')).toBeCloseTo((0.375 * 11) / (11 + 0.3), 12);
    expect(got.has('delegate')).toBe(false); // three edits away
    expect(v.variants('gitf').map((x) => x.term)).toEqual(['gitf']); // too short to be fuzzy
    expect(v.variants('delegatoin').map((x) => x.term)).toContain('delegation');
  });

  it('remembers a word it has expanded, and forgets everything past its limit', () => {
    const v = new Vocabulary();
    v.add('security');
    const first = v.variants('securty');
    expect(v.variants('securty')).toBe(first);
    for (let i = 0; i < 20_001; i++) v.variants(`word${i}`);
    expect(v.variants('securty')).not.toBe(first);
    expect(v.variants('securty')).toEqual(first);
  });
});
