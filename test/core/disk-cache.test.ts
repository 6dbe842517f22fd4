/** Pruning a cache folder: what this process did not use goes, what it read or wrote stays. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedValue, pruneCache, readTexts, writeTexts } from '../../src/disk-cache.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sca-prune-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const isNumber = (v: unknown): v is number => typeof v === 'number';

describe('pruning a cache folder', () => {
  it('removes only the files this process neither read nor wrote, and files being written stay', async () => {
    await writeFile(join(dir, 'terms-old.json'), '1');
    await writeFile(join(dir, 'terms-kept.json'), '2');
    await writeFile(join(dir, 'intent-new.bin.123.tmp'), 'partial');
    expect(cachedValue([dir], 'terms-kept.json', () => 0, isNumber)).toBe(2);
    expect(cachedValue([dir], 'terms-new.json', () => 3, isNumber)).toBe(3);
    // A damaged file that was read but not used is not "used": it goes too.
    await writeFile(join(dir, 'remit-bad.json'), '{not json');
    await writeFile(join(dir, 'remit-shape.json'), '"a string, not a number"');
    // Parsed, but not of the right shape: read, yet not used, so it goes as well.
    expect(cachedValue([join(dir, 'elsewhere'), dir], 'remit-shape.json', () => 5, isNumber)).toBe(
      5,
    );
    expect(cachedValue([join(dir, 'elsewhere'), dir], 'remit-bad.json', () => 4, isNumber)).toBe(4);

    expect(pruneCache(dir)).toBe(3);
    expect((await readdir(dir)).sort()).toEqual([
      'elsewhere',
      'intent-new.bin.123.tmp',
      'terms-kept.json',
      'terms-new.json',
    ]);
  });

  it('is a no-op for a folder that does not exist', () => {
    expect(pruneCache(join(dir, 'missing'))).toBe(0);
  });
});

describe('texts by key', () => {
  const texts = new Map([
    ['checked:a', '{"title":"Koha and gifts — Māori ’quoted’"}'],
    ['b', 'two\nlines, and an emoji 🌿'],
    ['empty', ''],
  ]);

  it('reads back what was written, in order, and counts as used', async () => {
    const file = join(dir, 'yaml-2.bin');
    writeTexts(file, texts);
    expect([...(readTexts(file) ?? [])]).toEqual([...texts]);
    await writeFile(join(dir, 'other.bin'), 'x');
    expect(pruneCache(dir)).toBe(1);
    expect(await readdir(dir)).toEqual(['yaml-2.bin']);
  });

  it('ignores a missing, damaged, cut-short or overlong file', async () => {
    const file = join(dir, 'yaml-2.bin');
    expect(readTexts(file)).toBeUndefined();
    writeTexts(file, texts);
    const whole = await readFile(file);
    for (const bad of [
      whole.subarray(0, whole.length - 1),
      Buffer.concat([whole, Buffer.from('x')]),
      Buffer.from('{not json'),
      Buffer.from('{"keys":["a"],"bytes":[-1]}\n'),
      Buffer.from('{"keys":["a"],"bytes":[1,2]}\nx'),
      Buffer.from('[1]\n'),
    ]) {
      await writeFile(file, bad);
      expect(readTexts(file)).toBeUndefined();
    }
  });
});
