import type pg from 'pg';
import { AdvisorError, ErrorCode, isAdvisorError } from '../../errors.js';
import { KeyedQueue } from '../serial.js';
import type {
  AuditEvent,
  ConversationState,
  EscalationRequest,
  Feedback,
  ScheduledJob,
  Store,
  TripRecord,
  UnansweredQuestion,
  UserKey,
} from '../types.js';
import { userKey } from '../types.js';
import { connectError, createPool, type Queryable } from './db.js';
import { runMigrations } from './migrate.js';

/** The first key of every advisory lock `exclusive` takes (the second is the name's hash). */
const LOCK_NAMESPACE = 72_064_552;

/** Options for opening the PostgreSQL store. */
export interface PgStoreOptions {
  /** Most connections the pool opens (default 10). */
  maxConnections?: number;
}

/** Drops keys whose value is `undefined` or `null`, as JSON.stringify would leave them out of a file. */
function compact<T extends object>(row: T): T {
  return Object.fromEntries(
    Object.entries(row).filter(([, v]) => v !== null && v !== undefined),
  ) as T;
}

/**
 * The store in PostgreSQL, for deployments with more than one process or a managed database.
 * Every method is one statement, so each write is durable (committed) when it resolves and
 * several processes can share the database. The pool is owned here: `close` ends it.
 */
export class PgStore implements Store {
  private closed = false;
  /** One pool per lock family (see `exclusive`), so a holder never waits on its own family. */
  private readonly lockPools = new Map<string, pg.Pool>();
  /** Turns in this process wait here first, so each lock name takes one connection at most. */
  private readonly localLocks = new KeyedQueue();

  private constructor(
    readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  /** Connects, applies any pending migrations, and resolves once the schema is current. */
  static async open(url: string, opts: PgStoreOptions = {}): Promise<PgStore> {
    const pool = createPool(url, opts.maxConnections);
    try {
      await runMigrations(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw isAdvisorError(err) ? err : connectError(err, url);
    }
    return new PgStore(pool, url);
  }

  async getConversation(user: UserKey): Promise<ConversationState | undefined> {
    const { rows } = await this.pool.query<{ state: ConversationState }>(
      'SELECT state FROM conversations WHERE user_key = $1',
      [user],
    );
    return rows[0]?.state;
  }

  async setConversation(user: UserKey, state: ConversationState | undefined): Promise<void> {
    if (!state) {
      await this.pool.query('DELETE FROM conversations WHERE user_key = $1', [user]);
      return;
    }
    await this.pool.query(
      `INSERT INTO conversations (user_key, updated_at, state) VALUES ($1, $2, $3)
       ON CONFLICT (user_key) DO UPDATE SET updated_at = EXCLUDED.updated_at, state = EXCLUDED.state`,
      [user, state.updatedAt, JSON.stringify(state)],
    );
  }

  async pruneConversations(before: string): Promise<number> {
    // As in the file store, a run that was finishing is kept however long its owner takes.
    const { rowCount } = await this.pool.query(
      `DELETE FROM conversations
       WHERE updated_at < $1
         AND coalesce(state #> '{flow,data,finishing}', 'null') IN ('null', 'false', '0', '""')`,
      [before],
    );
    return rowCount ?? 0;
  }

  async addFeedback(f: Feedback): Promise<void> {
    await this.pool.query(
      'INSERT INTO feedback (at, user_key, entry_id, helpful) VALUES ($1, $2, $3, $4)',
      [f.at, f.user, f.entryId, f.helpful],
    );
  }

  async listFeedback(): Promise<Feedback[]> {
    const { rows } = await this.pool.query<Feedback>(
      'SELECT at, user_key AS "user", entry_id AS "entryId", helpful FROM feedback ORDER BY seq',
    );
    return rows;
  }

  async audit(e: AuditEvent): Promise<void> {
    await insertAudit(this.pool, [e]);
  }

  async readAudit(): Promise<AuditEvent[]> {
    const { rows } = await this.pool.query<AuditEvent>(
      'SELECT at, type, actor, data FROM audit_events ORDER BY seq',
    );
    return rows.map(compact);
  }

  async nextSequence(name: string): Promise<number> {
    // One statement: the row lock makes concurrent callers, in any process, take turns.
    const { rows } = await this.pool.query<{ value: string }>(
      `INSERT INTO id_sequences (name, value) VALUES ($1, 1)
       ON CONFLICT (name) DO UPDATE SET value = id_sequences.value + 1
       RETURNING value`,
      [name],
    );
    return Number(rows[0]?.value);
  }

  async addTrip(trip: TripRecord): Promise<void> {
    await insertTrips(this.pool, [trip]);
  }

  async hasTrip(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM trips WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  async listTrips(user: UserKey): Promise<TripRecord[]> {
    const { rows } = await this.pool.query<{ record: TripRecord }>(
      'SELECT record FROM trips WHERE user_key = $1 ORDER BY seq',
      [user],
    );
    return rows.map((r) => r.record);
  }

  async getTrip(id: string): Promise<TripRecord | undefined> {
    const { rows } = await this.pool.query<{ record: TripRecord }>(
      'SELECT record FROM trips WHERE id = $1',
      [id],
    );
    return rows[0]?.record;
  }

  async addEscalationRequest(request: EscalationRequest): Promise<void> {
    await insertEscalations(this.pool, [request]);
  }

  async listEscalationRequests(): Promise<EscalationRequest[]> {
    const { rows } = await this.pool.query<{ record: EscalationRequest }>(
      'SELECT record FROM escalation_requests ORDER BY seq',
    );
    return rows.map((r) => r.record);
  }

  async scheduleJob(job: ScheduledJob): Promise<void> {
    await insertJobs(this.pool, [job]);
  }

  async listJobs(): Promise<ScheduledJob[]> {
    const { rows } = await this.pool.query<ScheduledJob>(
      `SELECT id, due_at AS "dueAt", kind, user_ref AS "user", trip_id AS "tripId"
       FROM scheduled_jobs ORDER BY due_at, id`,
    );
    return rows;
  }

  async removeJob(id: string): Promise<void> {
    await this.pool.query('DELETE FROM scheduled_jobs WHERE id = $1', [id]);
  }

  async claimJobs(owner: string, now: string, leaseMs: number): Promise<ScheduledJob[]> {
    // SKIP LOCKED: a replica claiming at the same moment takes other rows instead of waiting.
    const { rows } = await this.pool.query<ScheduledJob>(
      `UPDATE scheduled_jobs j SET claimed_by = $1,
         claimed_until = now() + $3 * interval '1 millisecond'
       FROM (SELECT id FROM scheduled_jobs
             WHERE due_at <= $2 AND (claimed_until IS NULL OR claimed_until < now())
             ORDER BY due_at, id LIMIT 100 FOR UPDATE SKIP LOCKED) due
       WHERE j.id = due.id
       RETURNING j.id, j.due_at AS "dueAt", j.kind, j.user_ref AS "user", j.trip_id AS "tripId"`,
      [owner, now, leaseMs],
    );
    return rows.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id));
  }

  async releaseJobs(owner: string): Promise<void> {
    await this.pool.query(
      'UPDATE scheduled_jobs SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1',
      [owner],
    );
  }

  /**
   * A session advisory lock on a connection of the lock family's own pool, held while `fn`
   * runs. If this process dies, PostgreSQL ends its session and the lock is free at once.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.localLocks.run(name, async () => {
      const family = name.split(':')[0] ?? name;
      let locks = this.lockPools.get(family);
      if (!locks) {
        locks = createPool(this.url, 16);
        this.lockPools.set(family, locks);
      }
      const client = await locks.connect();
      let broken = false;
      try {
        await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_NAMESPACE, name]);
        return await fn();
      } finally {
        await client
          .query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, name])
          .catch(() => {
            broken = true;
          });
        // A connection whose unlock failed is dropped, which frees any lock it still held.
        client.release(broken);
      }
    });
  }

  async firstSeen(key: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'INSERT INTO seen_events (key) VALUES ($1) ON CONFLICT (key) DO NOTHING',
      [key],
    );
    return (rowCount ?? 0) > 0;
  }

  async purgeSeen(before: string): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM seen_events WHERE seen_at < $1', [
      before,
    ]);
    return rowCount ?? 0;
  }

  async addUnanswered(q: UnansweredQuestion): Promise<void> {
    await this.pool.query(
      `INSERT INTO unanswered_questions (at, outcome, text, declined_kind, closest_entry_id, closest_score)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [q.at, q.outcome, q.text, q.declinedKind, q.closestEntryId, q.closestScore],
    );
  }

  async listUnanswered(since?: string): Promise<UnansweredQuestion[]> {
    const { rows } = await this.pool.query<UnansweredQuestion>(
      `SELECT at, outcome, text, declined_kind AS "declinedKind",
         closest_entry_id AS "closestEntryId", closest_score AS "closestScore"
       FROM unanswered_questions WHERE $1::text IS NULL OR at >= $1 ORDER BY seq`,
      [since ?? null],
    );
    return rows.map(compact);
  }

  async purgeUnanswered(before: string): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM unanswered_questions WHERE at < $1', [
      before,
    ]);
    return rowCount ?? 0;
  }

  async markOnce(key: string, at: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'INSERT INTO once_keys (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
      [key, at],
    );
    return (rowCount ?? 0) > 0;
  }

  async unmarkOnce(key: string): Promise<void> {
    await this.pool.query('DELETE FROM once_keys WHERE key = $1', [key]);
  }

  /** How many users have a checklist in progress changed at or after `since` (for metrics). */
  async countFlows(since: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM conversations WHERE state ? 'flow' AND updated_at >= $1`,
      [since],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** One cheap round trip: the database answers, and this store is not closed. */
  async ready(): Promise<void> {
    if (this.closed)
      throw new AdvisorError(ErrorCode.StorageUnavailable, 'The database connection is closed.');
    try {
      await this.pool.query('SELECT 1');
    } catch (err) {
      throw new AdvisorError(
        ErrorCode.StorageUnavailable,
        `The database does not answer (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
        { cause: err },
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.lockPools.values()].map((p) => p.end()));
    await this.pool.end();
  }
}

// Batch inserts, shared with the importer: each takes a JSON array and keeps its order.

/** Appends audit events in order. */
export async function insertAudit(q: Queryable, events: AuditEvent[]): Promise<void> {
  await q.query(
    `INSERT INTO audit_events (at, type, actor, data)
     SELECT e->>'at', e->>'type', e->>'actor', e->'data'
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n`,
    [JSON.stringify(events)],
  );
}

/** Stores trip records; an id already stored (or repeated in the batch) keeps its first record. */
export async function insertTrips(q: Queryable, trips: TripRecord[]): Promise<void> {
  await q.query(
    `INSERT INTO trips (id, user_key, created_at, record)
     SELECT e->>'id', e->>'userKey', e->'record'->>'createdAt', e->'record'
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n
     ON CONFLICT (id) DO NOTHING`,
    [
      JSON.stringify(
        trips.map((record) => ({ id: record.id, userKey: userKey(record.user), record })),
      ),
    ],
  );
}

/** Appends escalation requests in order. */
export async function insertEscalations(
  q: Queryable,
  requests: EscalationRequest[],
): Promise<void> {
  await q.query(
    `INSERT INTO escalation_requests (id, at, record)
     SELECT e->>'id', e->>'at', e
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n`,
    [JSON.stringify(requests)],
  );
}

/** Schedules jobs; a job whose id is already scheduled is replaced. */
export async function insertJobs(q: Queryable, jobs: ScheduledJob[]): Promise<void> {
  await q.query(
    `INSERT INTO scheduled_jobs (id, due_at, kind, user_ref, trip_id)
     SELECT e->>'id', e->>'dueAt', e->>'kind', e->'user', e->>'tripId'
     FROM jsonb_array_elements($1::jsonb) AS t(e)
     ON CONFLICT (id) DO UPDATE SET due_at = EXCLUDED.due_at, kind = EXCLUDED.kind,
       user_ref = EXCLUDED.user_ref, trip_id = EXCLUDED.trip_id,
       claimed_by = NULL, claimed_until = NULL`,
    [JSON.stringify(jobs)],
  );
}
