import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuseRankings } from '../../src/embeddings/index.js';

describe('fuseRankings (reciprocal rank fusion)', () => {
  it('scores each id 1 / (k + rank) summed over the lists', () => {
    const fused = fuseRankings([
      ['a', 'b', 'c'],
      ['b', 'a', 'd'],
    ]);
    expect(fused.map((f) => f.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(fused[0]?.score).toBeCloseTo(1 / 61 + 1 / 62);
    expect(fused[2]?.score).toBeCloseTo(1 / 63);
  });

  it('puts an id both rankers like above one only a single ranker puts first', () => {
    const fused = fuseRankings([
      ['solo', 'both'],
      ['other', 'both'],
    ]);
    expect(fused[0]?.id).toBe('both');
  });

  it('breaks ties by best single rank, then by id', () => {
    expect(fuseRankings([['x'], ['y']]).map((f) => f.id)).toEqual(['x', 'y']);
    expect(fuseRankings([['y'], ['x']]).map((f) => f.id)).toEqual(['x', 'y']);
  });

  it('honours k: with k = 0 the first rank counts 1', () => {
    expect(fuseRankings([['a', 'b']], 0)).toEqual([
      { id: 'a', score: 1 },
      { id: 'b', score: 0.5 },
    ]);
  });

  it('counts an id repeated in one list once, at its first rank', () => {
    expect(fuseRankings([['a', 'a', 'b']])).toEqual([
      { id: 'a', score: 1 / 61 },
      { id: 'b', score: 1 / 63 },
    ]);
  });

  it('handles no lists and empty lists', () => {
    expect(fuseRankings([])).toEqual([]);
    expect(fuseRankings([[], ['a']])).toEqual([{ id: 'a', score: 1 / 61 }]);
  });

  it('rejects a negative k', () => {
    expect(() => fuseRankings([['a']], -1)).toThrow(RangeError);
  });

  it('keeps the order of a single list, and of several identical lists', () => {
    const ids = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 20 });
    fc.assert(
      fc.property(ids, fc.integer({ min: 1, max: 4 }), (list, copies) => {
        const lists = Array.from({ length: copies }, () => list);
        expect(fuseRankings(lists).map((f) => f.id)).toEqual(list);
      }),
    );
  });

  it('is the same whatever order the lists come in', () => {
    const list = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 5 });
    fc.assert(
      fc.property(list, list, (one, two) => {
        expect(fuseRankings([one, two])).toEqual(fuseRankings([two, one]));
      }),
    );
  });
});
