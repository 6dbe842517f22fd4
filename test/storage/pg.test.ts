import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isAdvisorError } from '../../src/errors.js';
import { loadMigrations, PgStore, runMigrations } from '../../src/storage/pg/index.js';
import {
  findPostgres,
  PG_INSTALL_COMMAND,
  pgSkipReason,
  pgSuiteTitle,
  usePostgres,
} from '../helpers/pg-cluster.js';
import { storeContract } from './contract.js';

describe.skipIf(pgSkipReason)(pgSuiteTitle('PostgreSQL store'), () => {
  const db = usePostgres();

  storeContract(
    'PgStore',
    async () => {
      const { url, drop } = await db.migrated();
      return {
        store: await PgStore.open(url),
        reopen: () => PgStore.open(url),
        // A second store with pools of its own on the same database: a second replica.
        replica: () => PgStore.open(url),
        cleanup: drop,
      };
    },
    { shared: true },
  );

  const rows = async (url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  describe('migrations', () => {
    it('four replicas starting together apply each migration once', async () => {
      const { url, drop } = await db.fresh();
      try {
        const stores = await Promise.all([1, 2, 3, 4].map(() => PgStore.open(url)));
        const files = await loadMigrations();
        expect(files.length).toBeGreaterThan(0);
        expect(
          await rows(url, 'SELECT version, name FROM schema_migrations ORDER BY version'),
        ).toEqual(files.map((m) => ({ version: m.version, name: m.name })));
        // Each replica can use the schema, and a second start applies nothing.
        await Promise.all(stores.map((s, i) => s.audit({ at: String(i), type: 'started' })));
        expect(await stores[0]!.readAudit()).toHaveLength(4);
        expect(await runMigrations(stores[0]!.pool)).toEqual([]);
        for (const s of stores) await s.close();
      } finally {
        await drop();
      }
    });

    it('rolls a failed migration back whole, and records only those that ran', async () => {
      const { url, drop } = await db.fresh();
      const dir = await mkdtemp(join(tmpdir(), 'sca-migrations-'));
      const pool = new pg.Pool({ connectionString: url });
      try {
        await writeFile(join(dir, '001_one.sql'), 'CREATE TABLE one (x int);');
        await writeFile(join(dir, '002_two.sql'), 'CREATE TABLE two (x int); SELECT 1/0;');
        const err = await runMigrations(pool, dir).catch((e: unknown) => e);
        expect(isAdvisorError(err, 'storage_corrupt')).toBe(true);
        expect((err as Error).message).toContain('002_two.sql');
        expect(await rows(url, 'SELECT version FROM schema_migrations')).toEqual([{ version: 1 }]);
        expect(await rows(url, "SELECT to_regclass('two') AS t")).toEqual([{ t: null }]);
      } finally {
        await pool.end();
        await rm(dir, { recursive: true, force: true });
        await drop();
      }
    });

    it('refuses a database migrated by a newer version', async () => {
      const { url, drop } = await db.migrated();
      try {
        await rows(
          url,
          "INSERT INTO schema_migrations (version, name) VALUES (999, '999_future.sql')",
        );
        const err = await PgStore.open(url).catch((e: unknown) => e);
        expect(isAdvisorError(err, 'storage_corrupt')).toBe(true);
        expect((err as Error).message).toMatch(/newer.*Upgrade Sister City Advisor/);
      } finally {
        await drop();
      }
    });
  });

  it('a database that cannot be reached is a coded error naming it, without the password', async () => {
    const url = `postgres://advisor:s3cret@127.0.0.1:${db.cluster.port}/no_such_database`;
    const err = await PgStore.open(url).catch((e: unknown) => e);
    expect(isAdvisorError(err, 'storage_unwritable')).toBe(true);
    expect((err as Error).message).toContain(`127.0.0.1:${db.cluster.port}/no_such_database`);
    expect((err as Error).message).toContain('DATABASE_URL');
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('two stores on one database (two replicas) never hand out the same id', async () => {
    const { url, drop } = await db.migrated();
    const a = await PgStore.open(url);
    const b = await PgStore.open(url);
    try {
      const numbers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).nextSequence('SC-2026')),
      );
      expect(new Set(numbers).size).toBe(40);
      expect(Math.max(...numbers)).toBe(40);
    } finally {
      await a.close();
      await b.close();
      await drop();
    }
  });

  it('pruning keeps a run that was finishing, like the file store', async () => {
    const { url, drop } = await db.migrated();
    const store = await PgStore.open(url);
    try {
      const old = '2026-01-01T00:00:00.000Z';
      await store.setConversation('web:-:a', {
        updatedAt: old,
        flow: { name: 'pretrip', data: { finishing: true } },
      });
      await store.setConversation('web:-:b', {
        updatedAt: old,
        flow: { name: 'pretrip', data: { finishing: false } },
      });
      await store.setConversation('web:-:c', { updatedAt: old, prompt: { kind: 'x' } });
      expect(await store.pruneConversations('2026-06-01T00:00:00.000Z')).toBe(2);
      expect(await store.getConversation('web:-:a')).toBeDefined();
    } finally {
      await store.close();
      await drop();
    }
  });

  it('keeps audit data as written, nulls included, and leaves out what was not set', async () => {
    const { url, drop } = await db.migrated();
    const store = await PgStore.open(url);
    try {
      const events = [
        {
          at: '1',
          type: 'case-raised',
          actor: 'web:-:a',
          data: { caseId: 'SC-1', n: 2, ok: true, none: null },
        },
        { at: '2', type: 'answered' },
      ];
      for (const e of events) await store.audit(e);
      expect(await store.readAudit()).toStrictEqual(events);
    } finally {
      await store.close();
      await drop();
    }
  });
});

describe('PostgreSQL test cluster', () => {
  it('says exactly how to install the binaries when they are missing', () => {
    const found = findPostgres('/nonexistent/postgresql');
    expect(found).toEqual({
      ok: false,
      reason: `initdb and pg_ctl were not found under /nonexistent/postgresql/*/bin. Install them with: ${PG_INSTALL_COMMAND}`,
    });
    expect(PG_INSTALL_COMMAND).toBe('apt-get install -y postgresql');
  });
});
