import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyseAll } from '../../src/retrieval/analysis-cache.js';
import { terms } from '../../src/retrieval/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'terms-cache-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const TEXTS = ['Gifts from a visiting delegation', 'Phones and laptops overseas', 'koha'];

describe('the analysed-terms cache', () => {
  it('analyses as terms() does, and keeps the result on disk for the next start', async () => {
    expect(analyseAll(TEXTS, [dir])).toEqual(TEXTS.map(terms));
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    // A planted value proves the second call reads the file rather than analysing again.
    const file = join(dir, files[0] as string);
    await writeFile(file, JSON.stringify([['planted'], [], []]));
    expect(analyseAll(TEXTS, [dir])[0]).toEqual(['planted']);
  });

  it('analyses changed texts afresh, in a file of their own', async () => {
    analyseAll(TEXTS, [dir]);
    const changed = [...TEXTS.slice(0, 2), 'hospitality'];
    expect(analyseAll(changed, [dir])).toEqual(changed.map(terms));
    expect(await readdir(dir)).toHaveLength(2);
  });

  it('ignores a damaged or wrong-shaped file and still answers', async () => {
    analyseAll(TEXTS, [dir]);
    const [name] = await readdir(dir);
    const file = join(dir, name as string);
    for (const bad of ['{not json', '[["a"]]', '[[1],[2],[3]]', '"text"']) {
      await writeFile(file, bad);
      expect(analyseAll(TEXTS, [dir])).toEqual(TEXTS.map(terms));
    }
    // The damaged file was replaced with a good one.
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(TEXTS.map(terms));
  });

  it('works with no cache folder, and with one it cannot write', async () => {
    expect(analyseAll(TEXTS, [])).toEqual(TEXTS.map(terms));
    // A "folder" inside a plain file can never be made.
    await writeFile(join(dir, 'file'), '');
    expect(analyseAll(TEXTS, [join(dir, 'file', 'cache')])).toEqual(TEXTS.map(terms));
  });
});
