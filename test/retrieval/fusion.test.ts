import { describe, expect, it } from 'vitest';
import { emptyResult, fuse, type RankParts, type RankWeights } from '../../src/retrieval/fusion.js';

const match = (id: string) => ({ ...emptyResult(id), doc: 0, score: 1 });
const candidate = (
  id: string,
  entry: number,
  example: number,
  focus: number,
  coverage: number,
) => ({
  r: match(id),
  entry,
  example,
  focus,
  coverage,
});
const EQUAL: RankWeights = { entry: 0.2, example: 0.2, focus: 0.2, intent: 0.2, coverage: 0.2 };

describe('the fused ranking', () => {
  const parts: RankParts = {
    lexical: [candidate('gifts', 1, 0.2, 0.9, 0.4), candidate('travel', 0.6, 1, 0.1, 1)],
    hasFocus: false,
    intent: new Map([
      ['gifts', 1],
      ['travel', 0.5],
      ['reporting', 0.9],
    ]),
    intentJoin: ['reporting', 'gifts'],
  };

  it('scores each entry the weighted sum of its signals, best first', () => {
    const ranked = fuse(parts, EQUAL, 8);
    // Without an asking sentence, the focus signal is the whole-entry score again.
    expect(ranked.map((f) => f.r.id)).toEqual(['travel', 'gifts', 'reporting']);
    expect(ranked[0]?.score).toBeCloseTo(0.2 * (0.6 + 1 + 0.6 + 0.5 + 1), 12);
    expect(ranked[1]?.score).toBeCloseTo(0.2 * (1 + 0.2 + 1 + 1 + 0.4), 12);
    // An entry only the classifier brings in counts its intent alone, and no coverage.
    expect(ranked[2]?.score).toBeCloseTo(0.2 * 0.9, 12);
    expect(ranked[2]?.coverage).toBe(0);
  });

  it('uses the asking sentence of a long message, and follows the weights', () => {
    const focusOnly: RankWeights = { entry: 0, example: 0, focus: 1, intent: 0, coverage: 0 };
    const ranked = fuse({ ...parts, hasFocus: true }, focusOnly, 8);
    expect(ranked.map((f) => [f.r.id, f.score])).toEqual([
      ['gifts', 0.9],
      ['travel', 0.1],
      ['reporting', 0],
    ]);
    expect(fuse(parts, EQUAL, 2)).toHaveLength(2);
  });

  it('blends a dense ranking in by its share, and lets it bring in unmatched entries', () => {
    const dense = { score: new Map([['hosting', 1]]), join: ['hosting'], share: 0.5 };
    const ranked = fuse({ ...parts, dense }, EQUAL, 8);
    expect(ranked[0]?.r.id).toBe('hosting');
    expect(ranked[0]?.score).toBeCloseTo(0.5, 12);
    expect(ranked.find((f) => f.r.id === 'travel')?.score).toBeCloseTo(0.5 * 0.2 * 3.7, 12);
  });
});
