import pg from 'pg';
import { AdvisorError, ErrorCode } from '../../errors.js';

/** A pool or one checked-out client: anything that can run a query. */
export type Queryable = pg.Pool | pg.PoolClient;

/** The database named by a URL, without its password, for messages and logs. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'the database in DATABASE_URL';
  }
}

/** A connection pool; `max` connections at most. */
export function createPool(url: string, max = 10): pg.Pool {
  // A server that never answers fails start-up within 10 s instead of the TCP timeout (minutes).
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Turns a failure to reach the database into a coded error that says what to check. */
export function connectError(err: unknown, url: string): AdvisorError {
  const detail = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new AdvisorError(
    ErrorCode.StorageUnwritable,
    `Could not use the PostgreSQL database at ${describeUrl(url)} (${detail}): ${(err as Error).message}. Check that the server is running and that DATABASE_URL names it, with a user that may create tables there.`,
    { cause: err },
  );
}

/** Runs `fn` in one transaction on one client: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
