import { describe, expect, it } from 'vitest';
import { insert, lookup, MAX_LOAD, tableSize } from '../../src/retrieval/feature-table.js';

describe('the open-addressing feature table', () => {
  it('sizes a table to a power of two no more than three quarters full', () => {
    expect(tableSize(0)).toBe(16);
    expect(tableSize(12)).toBe(16);
    expect(tableSize(13)).toBe(32);
    // The shipped classifier's 43,990 features take 65,536 slots (131,072 before round 16).
    expect(tableSize(43_990)).toBe(65_536);
    for (const n of [1, 100, 49_152, 49_153]) {
      const size = tableSize(n);
      expect(n).toBeLessThanOrEqual(size * MAX_LOAD);
      expect(n > (size / 2) * MAX_LOAD || size === 16).toBe(true);
    }
  });

  it('finds every key of a table filled to its limit, and ends a lookup for one it lacks', () => {
    const features = Array.from({ length: 3_000 }, (_, i) => `word${i}_${(i * 7919) % 1000}`);
    const size = tableSize(features.length);
    expect(features.length / size).toBeGreaterThan(0.7);
    const keys = { keyA: new Uint32Array(size), keyB: new Uint32Array(size) };
    const ids = new Uint32Array(size);
    const taken = (slot: number) => (ids[slot] as number) > 0;
    features.forEach((f, i) => {
      ids[insert(keys, taken, f)] = i + 1;
    });
    features.forEach((f, i) => {
      expect(ids[lookup(keys, taken, f)]).toBe(i + 1);
    });
    for (let i = 0; i < 1_000; i++) expect(lookup(keys, taken, `missing${i}`)).toBe(-1);
  });
});
