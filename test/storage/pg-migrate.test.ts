import { spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAdvisorError } from '../../src/errors.js';
import { FileCaseStore } from '../../src/escalation/case-store.js';
import { PgCaseStore } from '../../src/escalation/pg-case-store.js';
import type { UserRef } from '../../src/model.js';
import { FileStore, type Store, type TripRecord } from '../../src/storage/index.js';
import { importDataDir } from '../../src/storage/pg/import.js';
import { PgStore } from '../../src/storage/pg/index.js';
import { finished, makeCase, note } from '../escalation/helpers.js';
import { pgSkipReason, pgSuiteTitle, usePostgres } from '../helpers/pg-cluster.js';

const web = { platform: 'web' as const, id: 'aroha', name: 'Aroha' };
const slack = { platform: 'slack' as const, id: 'U1', workspace: 'T1' };
const USERS = ['web:-:aroha', 'slack:T1:U1', 'web:-:gone', 'web:-:nobody'];

function trip(id: string, user: UserRef = web, answers: Record<string, unknown> = {}): TripRecord {
  return {
    id,
    checklist: 'pretrip',
    user,
    createdAt: '2026-11-27T01:00:00.000Z',
    answers,
    summary: [],
    flags: [],
  };
}

/** A data folder with some of everything, written through the file stores as the bot would. */
async function fillDataDir(dir: string): Promise<void> {
  const store = await FileStore.open(dir);
  await store.setConversation('web:-:aroha', {
    updatedAt: '2026-11-27T01:00:00.000Z',
    flow: { name: 'pretrip', data: { step: 2, answers: { purpose: 'trade' } } },
  });
  await store.setConversation('slack:T1:U1', {
    updatedAt: '2026-11-27T02:00:00.000Z',
    prompt: { kind: 'case-info', caseId: 'SC-2026-0001' },
  });
  await store.setConversation('web:-:gone', { updatedAt: '2026-11-27T00:00:00.000Z' });
  await store.setConversation('web:-:gone', undefined);
  await store.addFeedback({
    at: '2026-11-27T01:00:00.000Z',
    user: 'web:-:aroha',
    entryId: 'gifts',
    helpful: true,
  });
  await store.addFeedback({
    at: '2026-11-27T01:01:00.000Z',
    user: 'slack:T1:U1',
    entryId: 'gifts',
    helpful: false,
  });
  await store.audit({
    at: '2026-11-27T01:00:00.000Z',
    type: 'answered',
    actor: 'web:-:aroha',
    data: { entryId: 'gifts' },
  });
  await store.audit({
    at: '2026-11-27T01:02:00.000Z',
    type: 'case-raised',
    data: { caseId: 'SC-2026-0003', n: 1, flag: null },
  });
  expect(await store.nextSequence('TR-2026')).toBe(1);
  expect(await store.nextSequence('TR-2026')).toBe(2);
  await store.addTrip(trip('TR-2026-0001', web, { purpose: 'trade' }));
  await store.addTrip(trip('TR-2026-0002', slack));
  await store.addEscalationRequest({
    id: 'ER-2026-0001',
    at: '2026-11-27T01:00:00.000Z',
    source: 'pretrip',
    reporter: web,
    summary: 'Risky trip',
    flags: [],
    answers: [],
    tripId: 'TR-2026-0001',
  });
  await store.scheduleJob({
    id: 'debrief:TR-2026-0002',
    dueAt: '2026-12-20T00:00:00.000Z',
    kind: 'debrief',
    user: slack,
    tripId: 'TR-2026-0002',
  });
  await store.scheduleJob({
    id: 'debrief:TR-2026-0001',
    dueAt: '2026-12-10T00:00:00.000Z',
    kind: 'debrief',
    user: web,
    tripId: 'TR-2026-0001',
  });
  // The curator's loop: unanswered questions (one purged), and once-keys (one forgotten, one
  // forgotten and recorded again).
  await store.addUnanswered({
    at: '2026-08-01T00:00:00.000Z',
    outcome: 'no-guidance',
    text: 'purged before the move',
  });
  await store.addUnanswered({
    at: '2026-11-27T01:00:00.000Z',
    outcome: 'no-guidance',
    text: 'Can we fly a drone over the [name] festival?',
    closestEntryId: 'gifts',
    closestScore: 12.5,
  });
  await store.addUnanswered({
    at: '2026-11-27T01:05:00.000Z',
    outcome: 'declined',
    text: 'Is my neighbour a spy?',
    declinedKind: 'judging-people',
  });
  expect(await store.purgeUnanswered('2026-10-01T00:00:00.000Z')).toBe(1);
  await store.markOnce('digest:curator@council:2026-W48', '2026-11-23T20:00:00.000Z');
  await store.markOnce('digest:curator@council:2026-W47', '2026-11-16T20:00:00.000Z');
  await store.unmarkOnce('digest:curator@council:2026-W47');
  await store.markOnce('digest:other@council:2026-W48', '2026-11-23T20:00:00.000Z');
  await store.unmarkOnce('digest:other@council:2026-W48');
  await store.markOnce('digest:other@council:2026-W48', '2026-11-24T20:00:00.000Z');
  await store.close();
  // An id written by an older version with no counter behind it, and the same id twice.
  const line = (t: TripRecord) => `${JSON.stringify(t)}\n`;
  await appendFile(
    join(dir, 'trips.jsonl'),
    line(trip('TR-2026-0009')) + line(trip('TR-2026-0009', web, { dup: true })),
  );
  const cases = await FileCaseStore.open(dir);
  await cases.save(
    makeCase(1, {
      status: 'acknowledged',
      notifications: [
        note('SC-2026-0001', 'sent'),
        note('SC-2026-0001', 'pending', {
          id: 'SC-2026-0001/2',
          attempts: 2,
          lastError: 'HTTP 503',
        }),
      ],
    }),
  );
  await cases.save(finished(2, '2026-11-28T00:00:00.000Z'));
  // Archived a month earlier, with a longer history and a failed-then-sent message.
  await cases.save(
    finished(4, '2026-10-02T00:00:00.000Z', {
      history: [
        { at: '2026-10-01T00:00:00.000Z', actor: 'web:-:aroha', type: 'raised' },
        { at: '2026-10-01T01:00:00.000Z', actor: 'web:-:sec', type: 'acknowledged' },
        { at: '2026-10-02T00:00:00.000Z', actor: 'web:-:sec', type: 'resolved', note: 'Done' },
      ],
      notifications: [
        note('SC-2026-0004', 'sent', { attempts: 3, lastError: 'HTTP 503', messageId: 'm9' }),
      ],
    }),
  );
  await cases.save(
    makeCase(3, {
      status: 'closed',
      closedAt: '2026-11-29T00:00:00.000Z',
      notifications: [note('SC-2026-0003', 'pending')],
    }),
  );
  // A crash between archiving and rewriting active.json leaves a stale copy in the archive:
  // the active one is the case.
  await appendFile(
    join(dir, 'cases', 'archive', '2026-11.jsonl'),
    `${JSON.stringify(finished(1, '2026-11-27T05:00:00.000Z'))}\n`,
  );
}

/** Everything a Store serves, for comparing two stores. */
async function everything(store: Store) {
  const conversations = await Promise.all(USERS.map((u) => store.getConversation(u)));
  const trips = await Promise.all(USERS.map((u) => store.listTrips(u)));
  const jobs = (await store.listJobs()).sort((a, b) => a.id.localeCompare(b.id));
  return {
    conversations,
    trips,
    dup: await store.getTrip('TR-2026-0009'),
    feedback: await store.listFeedback(),
    audit: await store.readAudit(),
    escalations: await store.listEscalationRequests(),
    jobs,
    unanswered: await store.listUnanswered(),
  };
}

describe.skipIf(pgSkipReason)(pgSuiteTitle('migrate: a data folder into PostgreSQL'), () => {
  const db = usePostgres();
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sca-migrate-'));
    await fillDataDir(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('copies everything, and the database reads back what the files held', async () => {
    const { url, drop } = await db.fresh();
    try {
      const counts = await importDataDir(dir, url);
      expect(counts).toEqual({
        conversations: 2,
        feedback: 2,
        auditEvents: 2,
        trips: 3,
        escalationRequests: 1,
        idSequences: 3,
        scheduledJobs: 2,
        cases: 4,
        caseEvents: 6,
        caseMessages: 5,
        unansweredQuestions: 2,
        onceKeys: 2,
      });
      const files = await FileStore.open(dir);
      const fileCases = await FileCaseStore.open(dir);
      const pg = await PgStore.open(url);
      const pgCases = new PgCaseStore(pg.pool);
      try {
        const want = await everything(files);
        expect(want.dup?.answers).toEqual({});
        expect(await everything(pg)).toStrictEqual(want);
        // Every case whole: ids, history and outbox state, field for field.
        const all = await fileCases.listAll();
        expect(all.map((c) => c.id)).toEqual([
          'SC-2026-0001',
          'SC-2026-0002',
          'SC-2026-0003',
          'SC-2026-0004',
        ]);
        expect(await pgCases.listAll()).toStrictEqual(all);
        for (const c of all) expect(await pgCases.get(c.id)).toStrictEqual(c);
        expect(await pgCases.listActive()).toStrictEqual(await fileCases.listActive());
        expect((await pgCases.listActive()).map((c) => c.id)).toEqual([
          'SC-2026-0001',
          'SC-2026-0003',
        ]);
        // An imported case saves on as one the bot wrote (rows at the positions saveCase uses).
        const first = all[0]!;
        const next = {
          ...first,
          history: [
            ...first.history,
            { at: '2026-11-28T00:00:00.000Z', actor: 'web:-:sec', type: 'closed' as const },
          ],
          notifications: first.notifications.slice(1),
        };
        await pgCases.save(next);
        expect(await pgCases.get(first.id)).toStrictEqual(next);
        // All conversation state and every counter, not only the users and sequences above.
        const journal = new Map<string, unknown>();
        for (const line of (await readFile(join(dir, 'conversations.jsonl'), 'utf8'))
          .split('\n')
          .filter(Boolean)) {
          const { k, s } = JSON.parse(line);
          if (s) journal.set(k, s);
          else journal.delete(k);
        }
        const { rows: states } = await pg.pool.query(
          'SELECT user_key, state FROM conversations ORDER BY user_key',
        );
        expect(new Map(states.map((r) => [r.user_key, r.state]))).toStrictEqual(journal);
        const { counters } = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
        const { rows: sequences } = await pg.pool.query('SELECT name, value FROM id_sequences');
        expect(Object.fromEntries(sequences.map((r) => [r.name, Number(r.value)]))).toStrictEqual(
          counters,
        );
        expect(counters).toMatchObject({ 'TR-2026': 9, 'SC-2026': 4, 'ER-2026': 1 });
        // Analysed at once, so the first queries are planned from real figures.
        const { rows: analysed } = await pg.pool.query(
          `SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL ORDER BY relname`,
        );
        expect(analysed.map((r) => r.relname)).toEqual(
          expect.arrayContaining(['audit_events', 'case_events', 'case_outbox', 'cases']),
        );
        const { rows: claimed } = await pg.pool.query(
          'SELECT count(*)::int AS n FROM scheduled_jobs WHERE claimed_by IS NOT NULL',
        );
        expect(claimed[0].n).toBe(0);
        // Ids go on from the highest ever issued, counters and records alike.
        expect(await pg.nextSequence('TR-2026')).toBe(10);
        expect(await pg.nextSequence('SC-2026')).toBe(5);
        expect(await pg.nextSequence('ER-2026')).toBe(2);
        // Once-keys still recorded stay done; a forgotten one may be done again.
        expect(want.unanswered.map((q) => q.text)).toEqual([
          'Can we fly a drone over the [name] festival?',
          'Is my neighbour a spy?',
        ]);
        expect(await pg.markOnce('digest:curator@council:2026-W48', 'x')).toBe(false);
        expect(await pg.markOnce('digest:other@council:2026-W48', 'x')).toBe(false);
        expect(await pg.markOnce('digest:curator@council:2026-W47', 'x')).toBe(true);
        expect(
          (await pg.pool.query('SELECT key, at FROM once_keys WHERE at <> $1 ORDER BY key', ['x']))
            .rows,
        ).toEqual([
          { key: 'digest:curator@council:2026-W48', at: '2026-11-23T20:00:00.000Z' },
          { key: 'digest:other@council:2026-W48', at: '2026-11-24T20:00:00.000Z' },
        ]);
      } finally {
        await pg.close();
        await files.close();
      }
    } finally {
      await drop();
    }
  });

  it('refuses a database that holds anything, and changes nothing', async () => {
    const { url, drop } = await db.migrated();
    const pg = await PgStore.open(url);
    try {
      await pg.audit({ at: '1', type: 'started' });
      const err = await importDataDir(dir, url).catch((e: unknown) => e);
      expect(isAdvisorError(err, 'storage_corrupt')).toBe(true);
      expect((err as Error).message).toContain('already holds data (audit_events (1))');
      expect(await pg.readAudit()).toHaveLength(1);
      expect(await pg.listFeedback()).toEqual([]);
    } finally {
      await pg.close();
      await drop();
    }
  });

  it('refuses a database that holds only curation data (a once-key), and changes nothing', async () => {
    const { url, drop } = await db.migrated();
    const pg = await PgStore.open(url);
    try {
      await pg.markOnce('digest:curator@council:2026-W49', '2026-11-30T20:00:00.000Z');
      const err = await importDataDir(dir, url).catch((e: unknown) => e);
      expect(isAdvisorError(err, 'storage_corrupt')).toBe(true);
      expect((err as Error).message).toContain('already holds data (once_keys (1))');
      expect(await pg.listUnanswered()).toEqual([]);
      expect(await pg.listFeedback()).toEqual([]);
    } finally {
      await pg.close();
      await drop();
    }
  });

  it('cli migrate --from-dir prints the counts, then refuses a second run', async () => {
    const { url, drop } = await db.fresh();
    const cli = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate', '--from-dir', dir], {
        env: { ...process.env, DATABASE_URL: url },
        encoding: 'utf8',
        timeout: 60_000,
      });
    try {
      const first = cli();
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toContain(`Copied ${dir} into the database:`);
      expect(first.stdout).toContain('  cases: 4\n');
      expect(first.stdout).toContain('  trips: 3\n');
      expect(first.stdout).toContain('  unansweredQuestions: 2\n');
      expect(first.stdout).toContain('  onceKeys: 2\n');
      const second = cli();
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(
        /\[storage_corrupt\] The database at 127\.0\.0\.1:\d+\/\w+ already holds data/,
      );
    } finally {
      await drop();
    }
  });

  it('refuses a folder that is not a data folder', async () => {
    const { url, drop } = await db.fresh();
    try {
      const err = await importDataDir(join(dir, 'no-such-folder'), url).catch((e: unknown) => e);
      expect(isAdvisorError(err, 'config_invalid')).toBe(true);
      expect((err as Error).message).toContain('is not a Sister City Advisor data folder');
    } finally {
      await drop();
    }
  });
});
