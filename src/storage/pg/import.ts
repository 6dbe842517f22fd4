/**
 * Copies a data folder (the file store) into an empty PostgreSQL database: `cli migrate`.
 * This is the one module that knows both stores, so it imports the case store from escalation.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { AdvisorError, ErrorCode, isAdvisorError } from '../../errors.js';
import type { Case } from '../../escalation/case.js';
import { FileCaseStore } from '../../escalation/case-store.js';
import { ConversationSchema } from '../conversations.js';
import { FileStore, migrate, readJsonLines } from '../file.js';
import {
  type ConversationState,
  type TripRecord,
  type UnansweredQuestion,
  type UserKey,
  userKey,
} from '../types.js';
import { connectError, createPool, describeUrl, inTransaction, type Queryable } from './db.js';
import { runMigrations } from './migrate.js';
import { insertAudit, insertEscalations, insertJobs, insertTrips } from './store.js';

/** How many of each thing were copied. */
export interface ImportCounts {
  conversations: number;
  feedback: number;
  auditEvents: number;
  trips: number;
  escalationRequests: number;
  idSequences: number;
  scheduledJobs: number;
  cases: number;
  caseEvents: number;
  caseMessages: number;
  unansweredQuestions: number;
  onceKeys: number;
}

/** The tables that hold data; all must be empty before an import. */
const DATA_TABLES = [
  'conversations',
  'feedback',
  'audit_events',
  'id_sequences',
  'trips',
  'escalation_requests',
  'scheduled_jobs',
  'cases',
] as const;

/** What a data folder holds once the bot has stored anything. */
const DATA_FILES = [
  'state.json',
  'conversations.jsonl',
  'feedback.jsonl',
  'audit.jsonl',
  'trips.jsonl',
  'escalations.jsonl',
  'cases',
];

/** Only one import at a time into a database. */
const IMPORT_LOCK = 7_206_455_202;
/** Rows sent per statement, to keep each parameter a few megabytes at most. */
const BATCH = 500;

/** The conversation journal replayed: each user's last state, as ConversationLog reads it. */
async function readConversations(file: string): Promise<Map<UserKey, ConversationState>> {
  const states = new Map<UserKey, ConversationState>();
  const Line = z.object({ k: z.string(), s: ConversationSchema.nullable() });
  for (const line of await readJsonLines(file, Line)) {
    states.delete(line.k);
    if (line.s) states.set(line.k, line.s as ConversationState);
  }
  return states;
}

/** Trip records exactly as the file store serves them: valid ones, the first of each id. */
async function readTrips(dir: string, store: FileStore): Promise<TripRecord[]> {
  const loose = await readJsonLines(
    join(dir, 'trips.jsonl'),
    z.object({
      id: z.string(),
      user: z.object({ platform: z.string(), id: z.string(), workspace: z.string().optional() }),
    }),
  );
  const order = new Map<string, number>();
  for (const [i, t] of loose.entries()) if (!order.has(t.id)) order.set(t.id, i);
  const users = new Set(loose.map((t) => userKey(t.user as TripRecord['user'])));
  const trips: TripRecord[] = [];
  for (const u of users) trips.push(...(await store.listTrips(u)));
  return trips.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}

async function inBatches<T>(rows: T[], fn: (batch: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await fn(rows.slice(i, i + BATCH));
}

/**
 * Inserts whole cases, their history and their outbox, in three statements for the batch: the
 * rows `saveCase` (src/escalation/pg-case-store.ts) writes for each case, without its five
 * round trips a case, so copying 100,000 cases takes seconds rather than minutes. Only for
 * cases not yet in the database (an import, or a benchmark's seed).
 */
export async function insertCases(q: Queryable, cases: Case[]): Promise<void> {
  const json = JSON.stringify(cases);
  await q.query(
    `INSERT INTO cases (id, status, raised_at, closed_at, body)
     SELECT c->>'id', c->>'status', c->>'raisedAt', c->>'closedAt', c - 'history' - 'notifications'
     FROM jsonb_array_elements($1::jsonb) AS t(c)`,
    [json],
  );
  await q.query(
    `INSERT INTO case_events (case_id, position, event)
     SELECT c->>'id', n - 1, e
     FROM jsonb_array_elements($1::jsonb) AS t(c),
       jsonb_array_elements(c->'history') WITH ORDINALITY AS h(e, n)`,
    [json],
  );
  await q.query(
    `INSERT INTO case_outbox (case_id, id, position, status, attempts, next_attempt_at, body)
     SELECT c->>'id', o->>'id', n - 1, o->>'status', (o->>'attempts')::integer, o->>'nextAttemptAt', o
     FROM jsonb_array_elements($1::jsonb) AS t(c),
       jsonb_array_elements(c->'notifications') WITH ORDINALITY AS x(o, n)`,
    [json],
  );
}

/** Rows already in each data table, listing only the tables that have some. */
async function rowsPresent(q: Queryable): Promise<string[]> {
  const counts = [...DATA_TABLES, ...CURATION_TABLES]
    .map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`)
    .join(', ');
  const { rows } = await q.query<Record<string, number>>(`SELECT ${counts}`);
  return Object.entries(rows[0] ?? {})
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t} (${n})`);
}

/**
 * Copies everything in the data folder `dir` into the database at `url`, in one transaction:
 * conversation state, feedback, the audit log, trip records, escalation requests, id counters
 * (raised above every id the records hold, as the file store does), scheduled jobs, and every
 * case with its history and outbox as it stands. The folder is locked while it is read, so the
 * bot must be stopped. Refuses, changing nothing, when the database holds any data.
 */
export async function importDataDir(dir: string, url: string): Promise<ImportCounts> {
  if (!DATA_FILES.some((f) => existsSync(join(dir, f))))
    throw new AdvisorError(
      ErrorCode.ConfigInvalid,
      `${resolve(dir)} is not a Sister City Advisor data folder (it has none of ${DATA_FILES.join(', ')}). Give the folder the bot used as DATA_DIR.`,
    );
  const pool = createPool(url, 2);
  try {
    try {
      await runMigrations(pool);
    } catch (err) {
      throw isAdvisorError(err) ? err : connectError(err, url);
    }
    // Checked before the files are read, for a quick answer; checked again under the lock.
    const present = await rowsPresent(pool);
    if (present.length) throw notEmpty(url, present);

    // Opening the file store locks the folder, moves old-style state into its journal and
    // raises the id counters above the records, as a start of the bot would.
    const files = await FileStore.open(dir);
    try {
      const conversations = await readConversations(join(dir, 'conversations.jsonl'));
      const feedback = await files.listFeedback();
      const audit = await files.readAudit();
      const trips = await readTrips(dir, files);
      const escalations = await files.listEscalationRequests();
      const jobs = await files.listJobs();
      const stateFile = join(dir, 'state.json');
      const state = migrate(
        existsSync(stateFile) ? JSON.parse(await readFile(stateFile, 'utf8')) : null,
        stateFile,
      );
      const counters = Object.entries(state.counters).filter(([, n]) => n > 0);
      const cases = await (await FileCaseStore.open(dir)).listAll();
      const curation = await readCuration(dir, files);

      await inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK]);
        const again = await rowsPresent(client);
        if (again.length) throw notEmpty(url, again);
        await inBatches([...conversations], (batch) =>
          client
            .query(
              `INSERT INTO conversations (user_key, updated_at, state)
               SELECT e->>0, e->1->>'updatedAt', e->1 FROM jsonb_array_elements($1::jsonb) AS t(e)`,
              [JSON.stringify(batch)],
            )
            .then(() => undefined),
        );
        await inBatches(feedback, (batch) =>
          client
            .query(
              `INSERT INTO feedback (at, user_key, entry_id, helpful)
               SELECT e->>'at', e->>'user', e->>'entryId', (e->>'helpful')::boolean
               FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n`,
              [JSON.stringify(batch)],
            )
            .then(() => undefined),
        );
        await inBatches(audit, (batch) => insertAudit(client, batch));
        await inBatches(trips, (batch) => insertTrips(client, batch));
        await inBatches(escalations, (batch) => insertEscalations(client, batch));
        await inBatches(jobs, (batch) => insertJobs(client, batch));
        for (const [name, value] of counters)
          await client.query('INSERT INTO id_sequences (name, value) VALUES ($1, $2)', [
            name,
            value,
          ]);
        await inBatches(cases, (batch) => insertCases(client, batch));
        await insertCuration(client, curation);
      });
      // Statistics now, not when autovacuum gets round to it: without them the planner guesses
      // at tables it thinks are empty, and a guess past jit_above_cost made listing open cases
      // take 0.4 s instead of 4 ms (bench/pg.bench.ts, 2,000 cases).
      await pool.query(`ANALYZE ${[...DATA_TABLES, 'case_events', 'case_outbox'].join(', ')}`);
      return {
        conversations: conversations.size,
        feedback: feedback.length,
        auditEvents: audit.length,
        trips: trips.length,
        escalationRequests: escalations.length,
        idSequences: counters.length,
        scheduledJobs: jobs.length,
        cases: cases.length,
        caseEvents: cases.reduce((n, c) => n + c.history.length, 0),
        caseMessages: cases.reduce((n, c) => n + c.notifications.length, 0),
        unansweredQuestions: curation.unanswered.length,
        onceKeys: curation.onceKeys.length,
      };
    } finally {
      await files.close();
    }
  } finally {
    await pool.end();
  }
}

function notEmpty(url: string, tables: string[]): AdvisorError {
  return new AdvisorError(
    ErrorCode.StorageCorrupt,
    `The database at ${describeUrl(url)} already holds data (${tables.join(', ')}), so nothing was copied: migrate only fills an empty database. Point DATABASE_URL at a new database, or empty this one if you are sure it holds nothing you need.`,
  );
}

// The curator's loop (schema 3): unanswered questions and once-keys.

/** Curation tables; like the others, they must be empty before an import. */
const CURATION_TABLES = ['unanswered_questions', 'once_keys'] as const;

/** What a data folder holds for the curator's loop. */
interface Curation {
  unanswered: UnansweredQuestion[];
  onceKeys: { key: string; at: string }[];
}

/**
 * Reads unanswered.jsonl as the file store serves it, and replays once.jsonl (a key recorded,
 * or forgotten again with `removed`) to the keys still recorded, each with when it was first
 * recorded since it was last forgotten.
 */
async function readCuration(dir: string, files: FileStore): Promise<Curation> {
  const unanswered = await files.listUnanswered();
  const Mark = z.object({
    key: z.string(),
    at: z.string().optional(),
    removed: z.boolean().optional(),
  });
  const marks = new Map<string, string>();
  for (const m of await readJsonLines(join(dir, 'once.jsonl'), Mark))
    if (m.removed) marks.delete(m.key);
    else if (!marks.has(m.key)) marks.set(m.key, m.at ?? '');
  return { unanswered, onceKeys: [...marks].map(([key, at]) => ({ key, at })) };
}

/** Copies the curation data, unanswered questions in their order. */
async function insertCuration(q: Queryable, curation: Curation): Promise<void> {
  await inBatches(curation.unanswered, (batch) =>
    q
      .query(
        `INSERT INTO unanswered_questions
           (at, outcome, text, declined_kind, closest_entry_id, closest_score)
         SELECT e->>'at', e->>'outcome', e->>'text', e->>'declinedKind', e->>'closestEntryId',
           (e->>'closestScore')::double precision
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n`,
        [JSON.stringify(batch)],
      )
      .then(() => undefined),
  );
  await inBatches(curation.onceKeys, (batch) =>
    q
      .query(
        `INSERT INTO once_keys (key, at)
         SELECT e->>'key', e->>'at' FROM jsonb_array_elements($1::jsonb) AS t(e)`,
        [JSON.stringify(batch)],
      )
      .then(() => undefined),
  );
}
