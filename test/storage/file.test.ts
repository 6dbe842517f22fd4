import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAdvisorError } from '../../src/errors.js';
import { FileCaseStore } from '../../src/escalation/case-store.js';
import { FileStore, SCHEMA_VERSION, type TripRecord } from '../../src/storage/index.js';
import { finished, makeCase } from '../escalation/helpers.js';
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
    reopen: () => FileStore.open(dir),
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

  it('writes lines that arrive together in order, each caller told only once its line is on disk', async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    const file = join(dir, 'audit.jsonl');
    const onDisk = async () => (await readFile(file, 'utf8').catch(() => '')).split('\n');
    const seenWhenDone: boolean[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        await store.audit({ at: String(i), type: 'answered', data: { i } });
        seenWhenDone[i] = (await onDisk()).some((l) => l.includes(`"at":"${i}"`));
      }),
    );
    expect(seenWhenDone.every(Boolean)).toBe(true);
    const lines = (await onDisk()).filter(Boolean).map((l) => JSON.parse(l).at);
    expect(lines).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    // Lines for other files in between keep their own files and order.
    await Promise.all([
      store.audit({ at: 'a', type: 'answered' }),
      store.addFeedback({ at: 'f', user: 'web:-:u1', entryId: 'x', helpful: true }),
      store.audit({ at: 'b', type: 'answered' }),
    ]);
    expect(
      (await onDisk())
        .filter(Boolean)
        .slice(-2)
        .map((l) => JSON.parse(l).at),
    ).toEqual(['a', 'b']);
    expect(await store.listFeedback()).toHaveLength(1);
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

  it('reads a trip id that an older version appended twice as one record, the first', async () => {
    const dir = await tempDir();
    const user = { platform: 'web' as const, id: 'u1' };
    const line = (purpose: string) =>
      `${JSON.stringify({ id: 'TR-2026-0001', checklist: 'pretrip', user, createdAt: 'now', answers: { purpose }, summary: [], flags: [] })}\n`;
    await writeFile(join(dir, 'trips.jsonl'), line('first') + line('second'));
    const store = await FileStore.open(dir);
    expect((await store.listTrips('web:-:u1')).map((t) => t.answers.purpose)).toEqual(['first']);
    expect((await store.getTrip('TR-2026-0001'))?.answers.purpose).toBe('first');
    expect(await store.hasTrip('TR-2026-0001')).toBe(true);
    await store.close();
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

describe('ids are never reissued, even when state.json is lost or replaced', () => {
  const user = { platform: 'web' as const, id: 'u1' };
  const trip = (id: string, extra: Partial<TripRecord> = {}): TripRecord => ({
    id,
    checklist: 'pretrip',
    user,
    createdAt: 'now',
    answers: {},
    summary: [],
    flags: [],
    ...extra,
  });

  /** A data directory whose records hold ids well past the counters in `olderState`. */
  async function withRecords(dir: string): Promise<string> {
    const store = await FileStore.open(dir);
    await store.nextSequence('TR-2026');
    await store.close();
    const olderState = await readFile(join(dir, 'state.json'), 'utf8');
    const again = await FileStore.open(dir);
    await again.addTrip(trip('TR-2026-0003', { escalationId: 'SC-2026-0002' }));
    await again.addTrip(trip('DB-2026-0002', { tripId: 'TR-2026-0003' }));
    await again.addEscalationRequest({
      id: 'ER-2026-0004',
      at: 'now',
      source: 'pretrip',
      reporter: user,
      summary: 's',
      flags: [],
      answers: [],
    });
    // A purged case is known only from the audit log.
    await again.audit({ at: '1', type: 'case-raised', data: { caseId: 'SC-2026-0007' } });
    // A case id someone pressed on a button is not an issued id.
    await again.audit({ at: '2', type: 'case-unauthorised', data: { caseId: 'SC-2026-9999' } });
    const cases = await FileCaseStore.open(dir);
    await cases.save(makeCase(5, { recordId: 'RP-2026-0006' }));
    // An archived case naming a trip record that is missing (left by an older version).
    await cases.save(finished(6, '2026-12-01T00:00:00.000Z', { recordId: 'TR-2026-0008' }));
    await again.close();
    return olderState;
  }

  async function nextIds(dir: string) {
    const store = await FileStore.open(dir);
    const out: Record<string, number> = {};
    for (const seq of ['TR-2026', 'SC-2026', 'ER-2026', 'RP-2026', 'DB-2026', 'TR-2027'])
      out[seq] = await store.nextSequence(seq);
    await store.close();
    return out;
  }
  const expected = {
    'TR-2026': 9,
    'SC-2026': 8,
    'ER-2026': 5,
    'RP-2026': 7,
    'DB-2026': 3,
    'TR-2027': 1,
  };

  it('starts every sequence above the highest id in the records when state.json is deleted', async () => {
    const dir = await tempDir();
    await withRecords(dir);
    await rm(join(dir, 'state.json'));
    expect(await nextIds(dir)).toEqual(expected);
  });

  it('does the same when state.json is replaced with an older copy', async () => {
    const dir = await tempDir();
    const older = await withRecords(dir);
    await writeFile(join(dir, 'state.json'), older);
    expect(JSON.parse(older).counters).toEqual({ 'TR-2026': 1 });
    expect(await nextIds(dir)).toEqual(expected);
  });

  it('keeps counters that are already past the records', async () => {
    const dir = await tempDir();
    await withRecords(dir);
    const store = await FileStore.open(dir);
    // 8 is the highest in the records; these take 9 to 28.
    for (let i = 0; i < 20; i++) await store.nextSequence('TR-2026');
    await store.close();
    expect((await nextIds(dir))['TR-2026']).toBe(29);
  });
});
