import { describe, expect, it } from 'vitest';
import { entriesFor, guardFailure } from '../../src/llm/index.js';
import type { Hit, Retrieval } from '../../src/retrieval/index.js';
import { ENTRIES } from './fake-openai.js';

const [a, b, c] = ENTRIES as [Hit['entry'], Hit['entry'], Hit['entry']];
const hit = (entry: Hit['entry'], score: number): Hit => ({ entry, score, coverage: 0.5 });

describe('entriesFor', () => {
  const base: Retrieval = {
    answered: true,
    queryTerms: ['gift'],
    top: hit(a, 10),
    related: [hit(b, 6), hit(c, 0)],
    hits: [],
    confidence: 0.9,
    threshold: 0.68,
  };

  it('sends the top entry and related entries that matched the question', () => {
    expect(entriesFor(base).map((e) => e.id)).toEqual(['report-concern', 'gifts-koha']);
    expect(entriesFor(base, 1)).toEqual([a]);
  });

  it('sends nothing when retrieval was not confident', () => {
    expect(entriesFor({ ...base, answered: false })).toEqual([]);
  });
});

describe('guardFailure', () => {
  it('refuses without sources or after a cancel, and otherwise lets the call go', () => {
    expect(guardFailure([])).toEqual({ ok: false, reason: 'no-sources' });
    expect(guardFailure(ENTRIES, AbortSignal.abort())).toMatchObject({ reason: 'aborted' });
    expect(guardFailure(ENTRIES)).toBeUndefined();
  });
});
