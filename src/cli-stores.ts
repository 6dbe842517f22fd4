/**
 * The records the CLI's `cases` and `audit` commands read and write, from the store the app
 * would use: PostgreSQL when DATABASE_URL is set, else the files in DATA_DIR. The PostgreSQL
 * client loads only in the first case.
 */
import type { Config } from './config.js';
import { AdvisorError, ErrorCode, isAdvisorError } from './errors.js';
import { type CaseStore, FileCaseStore } from './escalation/case-store.js';
import { FileStore, readAuditLog } from './storage/file.js';
import type { AuditEvent } from './storage/types.js';

/** Cases and the audit log, for one CLI command. */
export interface CliRecords {
  /** Where the records are, for messages: a folder, or a database without its password. */
  where: string;
  cases: CaseStore;
  readAudit(): Promise<AuditEvent[]>;
  /** Appends to the audit log; only when opened to write. */
  audit(event: AuditEvent): Promise<void>;
  /** Releases the data directory's lock or the database connections. */
  close(): Promise<void>;
}

/**
 * Opens the records. To read (`write: false`) nothing is locked and no schema is changed, so
 * an auditor can run exports while the bot runs, and a database user that may only read will
 * do. To write, the data directory is locked (the bot must be stopped), or, in PostgreSQL, the
 * schema is brought up to date as the bot would. An unreachable database is a
 * `storage_unavailable` error that says what to check.
 */
export async function openCliRecords(
  config: Config,
  opts: { write: boolean },
): Promise<CliRecords> {
  if (config.DATABASE_URL) return openPg(config.DATABASE_URL, opts.write);
  const dir = config.DATA_DIR;
  if (!opts.write) {
    const cases = await FileCaseStore.open(dir, { readOnly: true });
    return {
      where: dir,
      cases,
      readAudit: () => readAuditLog(dir),
      audit: () => Promise.reject(new Error('these records were opened to read')),
      close: async () => undefined,
    };
  }
  const store = await FileStore.open(dir);
  try {
    const cases = await FileCaseStore.open(dir);
    return {
      where: dir,
      cases,
      readAudit: () => store.readAudit(),
      audit: (e) => store.audit(e),
      close: () => store.close(),
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

async function openPg(url: string, write: boolean): Promise<CliRecords> {
  const [{ PgStore, createPool, describeUrl }, { PgCaseStore }] = await Promise.all([
    import('./storage/pg/index.js'),
    import('./escalation/pg-case-store.js'),
  ]);
  const where = describeUrl(url);
  const unreachable = (err: unknown) =>
    new AdvisorError(
      ErrorCode.StorageUnavailable,
      `DATABASE_URL is set, so the cases and the audit log are read from PostgreSQL, but the database at ${where} could not be used (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}: ${(err as Error).message}). Check that the server is running and that DATABASE_URL names it; to read a data folder instead, unset DATABASE_URL and set DATA_DIR.`,
      { cause: err },
    );
  if (write) {
    // Two connections are plenty for one command.
    const store = await PgStore.open(url, { maxConnections: 2 }).catch((err: unknown) => {
      // Schema errors (a newer database, a failed migration) already say what to do.
      throw isAdvisorError(err, ErrorCode.StorageCorrupt)
        ? err
        : unreachable((err as { cause?: unknown }).cause ?? err);
    });
    return {
      where,
      cases: new PgCaseStore(store.pool),
      readAudit: () => store.readAudit(),
      audit: (e) => store.audit(e),
      close: () => store.close(),
    };
  }
  const pool = createPool(url, 2);
  try {
    await pool.query('SELECT version FROM schema_migrations LIMIT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    // 42P01: no such table. The database answers but the bot has never used it.
    if ((err as { code?: string }).code === '42P01')
      throw new AdvisorError(
        ErrorCode.StorageUnavailable,
        `The database at ${where} (DATABASE_URL) has no Sister City Advisor tables yet, so there is nothing to read. Start the bot with this DATABASE_URL once, or copy a data folder in with: npm run cli -- migrate --from-dir DATA_DIR`,
        { cause: err },
      );
    throw unreachable(err);
  }
  return {
    where,
    cases: new PgCaseStore(pool),
    readAudit: async () => {
      // As PgStore.readAudit, without its start-up migrations (a read-only user cannot run them).
      const { rows } = await pool.query<AuditEvent>(
        'SELECT at, type, actor, data FROM audit_events ORDER BY seq',
      );
      return rows.map(
        (r) =>
          Object.fromEntries(
            Object.entries(r).filter(([, v]) => v !== null && v !== undefined),
          ) as unknown as AuditEvent,
      );
    },
    audit: () => Promise.reject(new Error('these records were opened to read')),
    close: () => pool.end(),
  };
}
