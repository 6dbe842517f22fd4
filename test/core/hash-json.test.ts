/** Cache keys from values: `hashJson` streams a value into a hash without one string of it all. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashJson } from '../../src/disk-cache.js';

const key = (v: unknown) => hashJson(createHash('sha256'), v).digest('hex');

/** Many strings, long enough together to fill several batches. */
const many = (n: number, tag = '') =>
  Array.from({ length: n }, (_, i) => `${tag}question ${i}: can I accept a gift from the mayor?`);

describe('hashJson', () => {
  it('gives equal values equal keys, whatever object built them', () => {
    const a = { entries: [{ id: 'gifts', fields: ['Gifts', 'koha'] }], examples: many(2000) };
    const b = JSON.parse(JSON.stringify(a));
    expect(key(a)).toBe(key(b));
  });

  it('tells apart values that differ anywhere, in a long list too', () => {
    const base = many(3000);
    const keys = new Set([
      key(base),
      key(base.with(0, `${base[0]}x`)),
      key(base.with(1500, `${base[1500]} `)),
      key(base.with(2999, `${base[2999]}.`)),
      key(base.slice(1)),
      key([...base, '']),
      key(base.toReversed()),
    ]);
    expect(keys.size).toBe(7);
  });

  it('never mistakes a batch of strings for a nested list, or strings for other kinds', () => {
    const keys = new Set([
      key(['a', 'b']),
      key([['a', 'b']]),
      key([['a'], 'b']),
      key(['a', ['b']]),
      key(['ab']),
      key(['1']),
      key([1]),
      key(['null']),
      key([null]),
      key({ a: 'b' }),
      key({ a: ['b'] }),
      key(['a', 'b', []]),
      key('a'),
    ]);
    expect(keys.size).toBe(13);
  });

  it('does not depend on where the batches of a long list fall', () => {
    // The same strings joined differently must not collide: one long string, or many short ones.
    const parts = many(1000);
    expect(key([parts.join('')])).not.toBe(key(parts));
    expect(key([parts.slice(0, 500), parts.slice(500)])).not.toBe(key(parts));
  });
});

describe('hashJson on strings', () => {
  it('takes a string as it is, its length marking where it ends', () => {
    // Texts that JSON would escape, and texts that look like the marks around them.
    const keys = new Set([
      key(['a"b', 'c']),
      key(['a\\"b', 'c']),
      key(['a', '"b', 'c']),
      key(['s1:a', 'b']),
      key(['s1:a,b']),
      key(['a,s1:b']),
      key(['a', 'b']),
      key(['<"a">']),
      key([{ a: 'b' }]),
      key(['{"a":"b"}']),
      key(['é']),
      key(['e\u0301']),
    ]);
    expect(keys.size).toBe(12);
  });

  it('gives a list of strings mixed with other items one key per order', () => {
    expect(key(['a', 1, 'b', null])).not.toBe(key(['a', 1, null, 'b']));
    expect(key(['a', 1, 'b', null])).toBe(key(['a', 1, 'b', null]));
  });
});
