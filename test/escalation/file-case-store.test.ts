import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAdvisorError } from '../../src/errors.js';
import type { Case } from '../../src/escalation/case.js';
import { FileCaseStore } from '../../src/escalation/case-store.js';
import { caseStoreContract } from './case-store.contract.js';
import { finished, makeCase, note, tempDir } from './helpers.js';

caseStoreContract('FileCaseStore', async () => {
  const { dir, cleanup } = await tempDir('sca-cases-');
  return { store: await FileCaseStore.open(dir), reopen: () => FileCaseStore.open(dir), cleanup };
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function dataDir(): Promise<string> {
  const { dir, cleanup } = await tempDir('sca-cases-');
  cleanups.push(cleanup);
  return dir;
}
const activeFile = (dir: string) => join(dir, 'cases', 'active.json');
const readActive = async (dir: string) =>
  JSON.parse(await readFile(activeFile(dir), 'utf8')) as { schemaVersion: number; cases: Case[] };
const readArchive = async (dir: string, month: string) =>
  (await readFile(join(dir, 'cases', 'archive', `${month}.jsonl`), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Case);

describe('FileCaseStore on disk', () => {
  it('keeps open cases in active.json and archives finished ones by the month they closed', async () => {
    const dir = await dataDir();
    const store = await FileCaseStore.open(dir);
    const open = makeCase(1);
    const sending = makeCase(2, {
      status: 'resolved',
      closedAt: '2026-12-01T00:00:00.000Z',
      notifications: [note('SC-2026-0002', 'pending')],
    });
    await store.save(open);
    await store.save(sending);
    expect(await readActive(dir)).toEqual({ schemaVersion: 1, cases: [open, sending] });
    // Delivered: it leaves the hot file for the December archive (it was raised in November).
    const done = { ...sending, notifications: [note(sending.id, 'sent')] };
    await store.save(done);
    expect((await readActive(dir)).cases).toEqual([open]);
    expect(await readArchive(dir, '2026-12')).toEqual([done]);
    expect(existsSync(join(dir, 'cases', 'archive', '2026-11.jsonl'))).toBe(false);
  });

  it('a duplicate left by a crash between archive append and active rewrite: active wins', async () => {
    const dir = await dataDir();
    const store = await FileCaseStore.open(dir);
    // The resolved case with the reporter's message still to send...
    const sending = makeCase(1, {
      status: 'resolved',
      closedAt: '2026-11-27T05:00:00.000Z',
      notifications: [note('SC-2026-0001', 'pending')],
    });
    await store.save(sending);
    // ...then the process appended the delivered version to the archive and died before
    // rewriting active.json.
    const delivered = { ...sending, notifications: [note(sending.id, 'sent')] };
    await appendFile(
      join(dir, 'cases', 'archive', '2026-11.jsonl'),
      `${JSON.stringify(delivered)}\n`,
    );
    const after = await FileCaseStore.open(dir);
    expect(await after.get(sending.id)).toEqual(sending);
    expect(await after.getActive(sending.id)).toEqual(sending);
    expect(await after.listAll()).toEqual([sending]);
    expect(await after.listActive()).toEqual([sending]);
    // The outbox delivers again (at least once) and saves: one case, the newest version.
    const again = { ...sending, notifications: [note(sending.id, 'sent', { attempts: 2 })] };
    await after.save(again);
    expect(await after.listActive()).toEqual([]);
    expect(await after.listAll()).toEqual([again]);
    expect(await after.get(sending.id)).toEqual(again);
    const reopened = await FileCaseStore.open(dir);
    expect(await reopened.listAll()).toEqual([again]);
    expect(await reopened.get(sending.id)).toEqual(again);
  });

  it('skips a torn last archive line instead of failing every read', async () => {
    const dir = await dataDir();
    const store = await FileCaseStore.open(dir);
    const done = finished(1, '2026-11-27T05:00:00.000Z');
    await store.save(done);
    await appendFile(join(dir, 'cases', 'archive', '2026-11.jsonl'), '{"id":"SC-2026-0002","rep');
    const after = await FileCaseStore.open(dir);
    expect(await after.listAll()).toEqual([done]);
    expect(await after.get('SC-2026-0002')).toBeUndefined();
  });

  it('refuses a corrupt or foreign active.json, naming the file', async () => {
    const dir = await dataDir();
    await mkdir(join(dir, 'cases'), { recursive: true });
    await writeFile(activeFile(dir), '{"schemaVersion":1,"cases":[', 'utf8');
    let err = await FileCaseStore.open(dir).catch((e: unknown) => e);
    expect(isAdvisorError(err, 'storage_corrupt')).toBe(true);
    expect((err as Error).message).toContain(activeFile(dir));
    await writeFile(activeFile(dir), '{"schemaVersion":2,"cases":[]}', 'utf8');
    err = await FileCaseStore.open(dir).catch((e: unknown) => e);
    expect(isAdvisorError(err, 'storage_corrupt')).toBe(true);
    expect((err as Error).message).toMatch(/expected shape/);
  });

  it('purge rewrites only the archive months that change, and the result survives reopen', async () => {
    const dir = await dataDir();
    const store = await FileCaseStore.open(dir);
    const jan = finished(1, '2026-01-15T00:00:00.000Z');
    const feb = finished(2, '2026-02-15T00:00:00.000Z');
    const feb2 = finished(3, '2026-02-20T00:00:00.000Z');
    for (const c of [jan, feb, feb2]) await store.save(c);
    expect(await store.purge('2026-02-18T00:00:00.000Z')).toBe(2);
    expect(await readArchive(dir, '2026-01')).toEqual([]);
    expect(await readArchive(dir, '2026-02')).toEqual([feb2]);
    expect(existsSync(join(dir, 'cases', 'archive', '2026-02.jsonl.tmp'))).toBe(false);
    expect(await (await FileCaseStore.open(dir)).listAll()).toEqual([feb2]);
  });
});
