/** PostgreSQL for the tests: a cluster per test file, a database per test. */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { findPostgres, type PgCluster, startCluster } from '../../scripts/pg-cluster.js';
import { runMigrations } from '../../src/storage/pg/index.js';

export {
  findPostgres,
  PG_INSTALL_COMMAND,
  type PgCluster,
  startCluster,
} from '../../scripts/pg-cluster.js';

/** A database for one test: its URL, and `drop` to remove it (open connections are ended). */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * Starts a cluster for the enclosing `describe` (beforeAll, stopped in afterAll). `fresh()`
 * makes an empty database; `migrated()` copies one the migrations already ran on, which is
 * quicker than migrating each time.
 */
export function usePostgres() {
  let cluster: PgCluster | undefined;
  let template: Promise<void> | undefined;
  let n = 0;
  const make = async (from: string): Promise<TestDatabase> => {
    if (!cluster)
      throw new Error('usePostgres: the cluster is not running (call it in a describe)');
    const c = cluster;
    const name = `t${process.pid}_${++n}`;
    await c.admin(`CREATE DATABASE ${name} TEMPLATE ${from}`);
    return {
      url: c.url(name),
      drop: () => c.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  };
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return {
    /** The running cluster. */
    get cluster(): PgCluster {
      if (!cluster) throw new Error('usePostgres: the cluster is not running');
      return cluster;
    },
    fresh: () => make('template0'),
    migrated: async () => {
      template ??= (async () => {
        const c = cluster!;
        await c.admin('CREATE DATABASE advisor_template TEMPLATE template0');
        const pool = new pg.Pool({ connectionString: c.url('advisor_template') });
        try {
          await runMigrations(pool);
        } finally {
          await pool.end();
        }
      })();
      await template;
      return make('advisor_template');
    },
  };
}

/**
 * Binaries found once per test file; `pgSkipReason` is set when the PostgreSQL tests cannot run.
 * SCA_TEST_PG_ROOT points the search elsewhere, to see the skip without uninstalling anything.
 */
const found = findPostgres(process.env.SCA_TEST_PG_ROOT || undefined);
export const pgSkipReason = found.ok ? undefined : found.reason;
// A skipped suite's title is easy to miss in the summary, so the reason is printed as well.
if (pgSkipReason) console.warn(`PostgreSQL tests skipped: ${pgSkipReason}`);

/** The title for a describe block of PostgreSQL tests, saying why it was skipped when it was. */
export function pgSuiteTitle(title: string): string {
  return pgSkipReason ? `${title} (skipped: ${pgSkipReason})` : title;
}
