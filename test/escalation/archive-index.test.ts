import { existsSync } from 'node:fs';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCaseStore } from '../../src/escalation/case-store.js';
import { finished, makeCase, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];
const indexFile = (dir: string) => join(dir, 'cases', 'archive-index.jsonl');
const archiveFile = (dir: string, month: string) => join(dir, 'cases', 'archive', `${month}.jsonl`);

/** A data folder with 12 finished cases, two in each of six monthly archives. */
async function archived(): Promise<string> {
  const { dir, cleanup } = await tempDir('sca-index-');
  cleanups.push(cleanup);
  const store = await FileCaseStore.open(dir);
  for (let n = 1; n <= 12; n++)
    await store.save(finished(n, `${MONTHS[(n - 1) % 6]}-15T00:00:00.000Z`));
  return dir;
}

describe('archive index: case id to month', () => {
  it('reads one monthly archive to find an archived case, none for an unknown id', async () => {
    const dir = await archived();
    const store = await FileCaseStore.open(dir);
    const c = await store.get('SC-2026-0009');
    expect(c).toMatchObject({ id: 'SC-2026-0009', closedAt: '2026-03-15T00:00:00.000Z' });
    expect(store.stats.archiveReads).toBe(1);
    expect(await store.get('SC-2026-0999')).toBeUndefined();
    expect(store.stats.archiveReads).toBe(1);
    // Without the index, the same lookup opens every month.
    const scanning = await FileCaseStore.open(dir, { archiveIndex: false });
    expect((await scanning.get('SC-2026-0009'))?.id).toBe('SC-2026-0009');
    expect(scanning.stats.archiveReads).toBe(6);
  });

  it('writes an entry before the case reaches the archive', async () => {
    const dir = await archived();
    const lines = (await readFile(indexFile(dir), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe('["SC-2026-0001","2026-01"]');
    // An entry whose case never reached the archive (a crash between the two writes) costs one
    // read and finds nothing; the case is still in active.json, where it is found first.
    const store = await FileCaseStore.open(dir);
    const open = makeCase(50);
    await store.save(open);
    await appendFile(indexFile(dir), '["SC-2026-0050","2026-06"]\n');
    const again = await FileCaseStore.open(dir);
    expect((await again.get('SC-2026-0050'))?.status).toBe('new');
    expect(again.stats.archiveReads).toBe(0);
  });

  it('is rebuilt from the archive when missing, and then used', async () => {
    const dir = await archived();
    await rm(indexFile(dir));
    const store = await FileCaseStore.open(dir);
    // Opening the store for writing rebuilt it: one scan of every month.
    expect(store.stats.archiveReads).toBe(6);
    expect(existsSync(indexFile(dir))).toBe(true);
    expect((await store.get('SC-2026-0004'))?.id).toBe('SC-2026-0004');
    expect(store.stats.archiveReads).toBe(7);
    const reopened = await FileCaseStore.open(dir);
    expect((await reopened.get('SC-2026-0004'))?.id).toBe('SC-2026-0004');
    expect(reopened.stats.archiveReads).toBe(1);
  });

  it('a reader (the CLI while the bot runs) rebuilds a missing index in memory only', async () => {
    const dir = await archived();
    await rm(indexFile(dir));
    const reader = await FileCaseStore.open(dir, { readOnly: true });
    expect((await reader.get('SC-2026-0004'))?.id).toBe('SC-2026-0004');
    expect(reader.stats.archiveReads).toBe(7);
    expect((await reader.get('SC-2026-0005'))?.id).toBe('SC-2026-0005');
    expect(reader.stats.archiveReads).toBe(8);
    expect(existsSync(indexFile(dir))).toBe(false);
    await expect(reader.save(makeCase(60))).rejects.toThrow(/opened to read/);
  });

  it('is rebuilt when a line is corrupt or torn, or a month is missing from it', async () => {
    const dir = await archived();
    const good = await readFile(indexFile(dir), 'utf8');
    for (const bad of [
      `${good}not json\n`,
      `${good}["SC-2026-0013","2026-0`,
      // An archive restored from a backup without its index: April's entries are missing.
      good
        .split('\n')
        .filter((l) => !l.includes('"2026-04"'))
        .join('\n'),
    ]) {
      await writeFile(indexFile(dir), bad);
      const store = await FileCaseStore.open(dir);
      expect((await store.get('SC-2026-0010'))?.closedAt).toBe('2026-04-15T00:00:00.000Z');
      // Six reads to rebuild, one to fetch.
      expect(store.stats.archiveReads).toBe(7);
      const lines = (text: string) => text.trim().split('\n').sort();
      expect(lines(await readFile(indexFile(dir), 'utf8'))).toEqual(lines(good));
    }
  });

  it('a reader skips a torn last line, which the bot may be writing', async () => {
    const dir = await archived();
    await appendFile(indexFile(dir), '["SC-2026-0013","2026');
    const reader = await FileCaseStore.open(dir, { readOnly: true });
    expect((await reader.get('SC-2026-0002'))?.id).toBe('SC-2026-0002');
    expect(reader.stats.archiveReads).toBe(1);
  });

  it('drops purged cases when a purge rewrites the archive', async () => {
    const dir = await archived();
    const store = await FileCaseStore.open(dir);
    // January and February close before 1 March.
    expect(await store.purge('2026-03-01T00:00:00.000Z')).toBe(4);
    const text = await readFile(indexFile(dir), 'utf8');
    expect(text.trim().split('\n')).toHaveLength(8);
    expect(text).not.toContain('"2026-01"');
    const reopened = await FileCaseStore.open(dir);
    expect(await reopened.get('SC-2026-0001')).toBeUndefined();
    expect((await reopened.get('SC-2026-0003'))?.id).toBe('SC-2026-0003');
    expect(reopened.stats.archiveReads).toBe(1);
    // The emptied January file does not count as a month the index is missing.
    expect((await readFile(archiveFile(dir, '2026-01'), 'utf8')).length).toBe(0);
  });
});
