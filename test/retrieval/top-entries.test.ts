import { describe, expect, it } from 'vitest';
import { topEntries } from '../../src/retrieval/retriever.js';

/** What the ranking did before: a stable sort of every entry, best first. */
const bySort = (m: Map<string, number>, n: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([id]) => id);

describe('the classifier’s top entries', () => {
  it('are those a stable sort puts first, ties kept in the order they came', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let trial = 0; trial < 500; trial++) {
      const m = new Map<string, number>();
      const size = Math.floor(rand() * 12);
      // Few distinct values, so ties are common.
      for (let i = 0; i < size; i++) m.set(`e${i}`, Math.floor(rand() * 4) / 4);
      for (const n of [1, 3, 5]) expect(topEntries(m, n)).toEqual(bySort(m, n));
    }
  });

  it('gives fewer when there are fewer entries, and none for none', () => {
    expect(topEntries(new Map([['a', 0.2]]), 3)).toEqual(['a']);
    expect(topEntries(new Map(), 3)).toEqual([]);
  });
});
