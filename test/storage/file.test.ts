import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAdvisorError } from '../../src/errors.js';
import { FileStore, SCHEMA_VERSION } from '../../src/storage/index.js';
import { storeContract } from './contract.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sca-store-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

storeContract('FileStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sca-contract-'));
  return {
    store: await FileStore.open(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('FileStore on disk', () => {
  it('writes real files even though vitest sets NODE_ENV=test', async () => {
    expect(process.env.NODE_ENV).toBe('test');
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    await store.setConversation('web:-:u1', { updatedAt: 'now', lastEntryId: 'x' });
    await store.addFeedback({ at: '1', user: 'web:-:u1', entryId: 'x', helpful: true });
    await store.audit({ at: '1', type: 'answered' });
    await store.nextSequence('TR-2026');
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
    expect(state).toEqual({
      schemaVersion: SCHEMA_VERSION,
      conversations: {},
      counters: { 'TR-2026': 1 },
      jobs: [],
    });
    expect(await readFile(join(dir, 'conversations.jsonl'), 'utf8')).toBe(
      '{"k":"web:-:u1","s":{"updatedAt":"now","lastEntryId":"x"}}\n',
    );
    expect((await readFile(join(dir, 'feedback.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(
      1,
    );
    expect(existsSync(join(dir, 'audit.jsonl'))).toBe(true);
    await store.close();
  });

  it('keeps everything across a restart', async () => {
    const dir = await tempDir();
    const first = await FileStore.open(dir);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        first.setConversation(`u${i}`, { updatedAt: String(i) }),
      ),
    );
    await first.addFeedback({ at: '1', user: 'u1', entryId: 'x', helpful: false });
    await first.close();
    const second = await FileStore.open(dir);
    expect((await second.getConversation('u49'))?.updatedAt).toBe('49');
    expect(await second.listFeedback()).toEqual([
      { at: '1', user: 'u1', entryId: 'x', helpful: false },
    ]);
    await second.close();
  });

  it('refuses a second opener of the same data directory with a clear error', async () => {
    const dir = await tempDir();
    const first = await FileStore.open(dir);
    const err = await FileStore.open(dir).catch((e: unknown) => e);
    expect(isAdvisorError(err, 'storage_locked')).toBe(true);
    expect((err as Error).message).toContain(
      `in use by another Sister City Advisor process (pid ${process.pid}`,
    );
    await first.close();
    // Released on close, so it opens again.
    await (await FileStore.open(dir)).close();
  });

  it('takes over a lock left by a process that has died', async () => {
    const dir = await tempDir();
    const { hostname } = await import('node:os');
    await writeFile(join(dir, '.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }));
    const store = await FileStore.open(dir);
    await store.close();
  });

  it('stops on a corrupt state file and leaves it untouched', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'state.json'), '{"schemaVersion": 1, "conversations": ');
    const err = await FileStore.open(dir).catch((e: unknown) => e);
    expect(isAdvisorError(err, 'storage_corrupt')).toBe(true);
    expect((err as Error).message).toMatch(/state\.json is not valid JSON/);
    expect(await readFile(join(dir, 'state.json'), 'utf8')).toBe(
      '{"schemaVersion": 1, "conversations": ',
    );
    // The lock was released, so fixing the file is enough.
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  it('migrates an unversioned state file and refuses one from a newer version', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'state.json'),
      JSON.stringify({ conversations: { u1: { updatedAt: 'old' } } }),
    );
    const store = await FileStore.open(dir);
    expect((await store.getConversation('u1'))?.updatedAt).toBe('old');
    await store.close();

    const newer = await tempDir();
    await writeFile(
      join(newer, 'state.json'),
      JSON.stringify({ schemaVersion: 99, conversations: {} }),
    );
    const err = await FileStore.open(newer).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/newer version \(schema 99/);
  });

  it('migrates a version 1 file to version 2, keeping conversations', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'state.json'),
      JSON.stringify({ schemaVersion: 1, conversations: { u1: { updatedAt: 'v1' } } }),
    );
    const store = await FileStore.open(dir);
    expect((await store.getConversation('u1'))?.updatedAt).toBe('v1');
    expect(await store.nextSequence('TR-2026')).toBe(1);
    await store.close();
    const saved = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
    expect(saved).toMatchObject({ schemaVersion: 2, counters: { 'TR-2026': 1 }, jobs: [] });
  });

  it('keeps sequences, trips and scheduled jobs across a restart', async () => {
    const dir = await tempDir();
    const user = { platform: 'web' as const, id: 'u1' };
    const first = await FileStore.open(dir);
    await first.nextSequence('TR-2026');
    await first.nextSequence('TR-2026');
    await first.addTrip({
      id: 'TR-2026-0002',
      checklist: 'pretrip',
      user,
      createdAt: 'now',
      answers: { a: 'yes' },
      summary: [],
      flags: [],
    });
    await first.scheduleJob({
      id: 'debrief:TR-2026-0002',
      dueAt: '2027-01-02T00:00:00Z',
      kind: 'debrief',
      user,
      tripId: 'TR-2026-0002',
    });
    await first.close();
    const second = await FileStore.open(dir);
    expect(await second.nextSequence('TR-2026')).toBe(3);
    expect((await second.getTrip('TR-2026-0002'))?.answers).toEqual({ a: 'yes' });
    expect((await second.listJobs()).map((j) => j.id)).toEqual(['debrief:TR-2026-0002']);
    await second.close();
  });

  it('skips a torn last line in the audit log', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'audit.jsonl'), '{"at":"1","type":"answered"}\n{"at":"2","ty');
    const store = await FileStore.open(dir);
    expect(await store.readAudit()).toEqual([{ at: '1', type: 'answered' }]);
    // The next record starts on a fresh line, so it survives the torn one.
    await store.audit({ at: '3', type: 'no-guidance' });
    expect(await store.readAudit()).toEqual([
      { at: '1', type: 'answered' },
      { at: '3', type: 'no-guidance' },
    ]);
    await store.close();
  });
});
