import type pg from 'pg';
import type { Logger } from 'pino';
import type { Reply } from '../../model.js';
import type { InboxItem, InboxRecord, InboxStore } from '../inbox.js';
import { inTransaction } from './db.js';

/** The NOTIFY channel that says "a web user has a new message"; the payload is the user id. */
const CHANNEL = 'web_inbox';
/** First key of the per-user advisory lock taken while appending. */
const APPEND_LOCK = 72_064_553;

type Row = { id: string; reply: Reply; seen: boolean; replaces: string | null };
const toRecord = (r: Row): InboxRecord => ({
  id: Number(r.id),
  reply: r.reply,
  seen: r.seen,
  ...(r.replaces === null ? {} : { replaces: Number(r.replaces) }),
});

/**
 * The web inbox in PostgreSQL. Appends for one user take a transaction-level advisory lock, so
 * that user's ids commit in increasing order (a page resuming from Last-Event-ID misses none),
 * and NOTIFY at commit wakes the replica holding the user's stream. Each user keeps their last
 * `maxPerUser` messages.
 */
export class PgInboxStore implements InboxStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly maxPerUser = 100,
  ) {}

  append(userId: string, items: InboxItem[], key?: string): Promise<InboxRecord[]> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [APPEND_LOCK, userId]);
      if (key) {
        const { rows } = await client.query<Row>(
          `SELECT id, reply, seen, replaces FROM web_inbox
           WHERE user_id = $1 AND delivery_key LIKE $2 || '#%' ORDER BY id`,
          [userId, key.replace(/[\\%_]/g, '\\$&')],
        );
        if (rows.length) return rows.map(toRecord);
      }
      const { rows } = await client.query<Row>(
        `INSERT INTO web_inbox (user_id, reply, replaces, delivery_key)
         SELECT $1, e->'reply', (e->>'replaces')::bigint,
           CASE WHEN $3::text IS NULL THEN NULL ELSE $3 || '#' || n END
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n
         RETURNING id, reply, seen, replaces`,
        [userId, JSON.stringify(items), key ?? null],
      );
      await client.query(
        `DELETE FROM web_inbox WHERE user_id = $1 AND id < (
           SELECT id FROM web_inbox WHERE user_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
        [userId, this.maxPerUser - 1],
      );
      await client.query('SELECT pg_notify($1, $2)', [CHANNEL, userId]);
      return rows.map(toRecord).sort((a, b) => a.id - b.id);
    });
  }

  async replaceContent(userId: string, id: number, reply: Reply): Promise<void> {
    await this.pool.query('UPDATE web_inbox SET reply = $3 WHERE user_id = $1 AND id = $2', [
      userId,
      id,
      JSON.stringify(reply),
    ]);
  }

  async list(userId: string, after = 0): Promise<InboxRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT id, reply, seen, replaces FROM web_inbox
       WHERE user_id = $1 AND id > $2 ORDER BY id`,
      [userId, after],
    );
    return rows.map(toRecord);
  }

  async markSeen(userId: string, ids: number[]): Promise<void> {
    if (!ids.length) return;
    await this.pool.query(
      'UPDATE web_inbox SET seen = true WHERE user_id = $1 AND id = ANY($2::bigint[]) AND NOT seen',
      [userId, ids],
    );
  }

  async lastId(): Promise<number> {
    const { rows } = await this.pool.query<{ id: string | null }>(
      'SELECT max(id) AS id FROM web_inbox',
    );
    return Number(rows[0]?.id ?? 0);
  }

  /**
   * LISTENs on one connection of its own. A lost connection is opened again after a second,
   * and every listener is then called for every user (with "*"), so pages catch up.
   */
  async watch(listener: (userId: string) => void): Promise<() => Promise<void>> {
    let stopped = false;
    let client: { c: pg.PoolClient; release(destroy?: boolean): boolean } | undefined;
    let retry: NodeJS.Timeout | undefined;
    const connect = async (): Promise<void> => {
      const c = await this.pool.connect();
      // A connection is given back once, however many errors it reports or whoever stops first
      // (pg throws on a second release, and nothing would catch it).
      let released = false;
      const onNotification = (n: pg.Notification) => {
        if (n.channel === CHANNEL && n.payload) listener(n.payload);
      };
      const onError = (err: Error) => {
        if (!own.release(true)) return;
        this.logger.warn({ err }, 'web inbox listener lost its connection; reconnecting');
        if (client === own) client = undefined;
        if (!stopped) schedule();
      };
      const own = {
        c,
        // Given back once, however many errors it reports or whoever stops first (pg throws on a
        // second release), and without our handlers: the pool lends it to others afterwards.
        release(destroy?: boolean) {
          if (released) return false;
          released = true;
          c.removeListener('notification', onNotification);
          c.removeListener('error', onError);
          c.release(destroy);
          return true;
        },
      };
      c.on('notification', onNotification);
      c.on('error', onError);
      await c.query(`LISTEN ${CHANNEL}`);
      client = own;
    };
    const schedule = () => {
      retry = setTimeout(() => {
        connect()
          .then(() => listener('*'))
          .catch(() => {
            if (!stopped) schedule();
          });
      }, 1000);
      retry.unref();
    };
    await connect();
    return async () => {
      stopped = true;
      clearTimeout(retry);
      const own = client;
      client = undefined;
      if (own) {
        await own.c.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
        own.release();
      }
    };
  }
}
