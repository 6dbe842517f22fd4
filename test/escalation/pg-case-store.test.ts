import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PgCaseStore } from '../../src/escalation/pg-case-store.js';
import { createPool } from '../../src/storage/pg/index.js';
import { pgSkipReason, pgSuiteTitle, usePostgres } from '../helpers/pg-cluster.js';
import { caseStoreContract } from './case-store.contract.js';
import { finished, makeCase, note } from './helpers.js';

describe.skipIf(pgSkipReason)(pgSuiteTitle('PostgreSQL case store'), () => {
  const db = usePostgres();

  caseStoreContract(
    'PgCaseStore',
    async () => {
      const { url, drop } = await db.migrated();
      const pools: pg.Pool[] = [];
      const open = () => {
        const pool = createPool(url);
        pools.push(pool);
        return new PgCaseStore(pool);
      };
      return {
        store: open(),
        reopen: async () => open(),
        // Another pool on the same database: a second replica.
        replica: async () => open(),
        cleanup: async () => {
          for (const p of pools) await p.end();
          await drop();
        },
      };
    },
    [],
    { shared: true },
  );

  describe('in its tables', () => {
    const withStore = async (fn: (store: PgCaseStore, pool: pg.Pool) => Promise<void>) => {
      const { url, drop } = await db.migrated();
      const pool = createPool(url);
      try {
        await fn(new PgCaseStore(pool), pool);
      } finally {
        await pool.end();
        await drop();
      }
    };

    it('keeps history and the outbox in rows of their own, updated in place', async () => {
      await withStore(async (store, pool) => {
        const c = makeCase(1, {
          notifications: [
            note('SC-2026-0001', 'pending'),
            note('SC-2026-0001', 'pending', { id: 'SC-2026-0001/2', to: 'primary' }),
          ],
        });
        await store.save(c);
        const outbox = () =>
          pool
            .query(
              'SELECT id, status, attempts, position FROM case_outbox WHERE case_id = $1 ORDER BY position',
              [c.id],
            )
            .then((r) => r.rows);
        expect(await outbox()).toEqual([
          { id: 'SC-2026-0001/1', status: 'pending', attempts: 0, position: 0 },
          { id: 'SC-2026-0001/2', status: 'pending', attempts: 0, position: 1 },
        ]);
        const [first, second] = c.notifications;
        await store.save({
          ...c,
          status: 'acknowledged',
          history: [...c.history, { at: 'x', actor: 'web:-:sec', type: 'acknowledged' }],
          notifications: [{ ...first!, status: 'sent', attempts: 1, sentAt: 'y' }, second!],
        });
        expect((await outbox()).map((r) => [r.id, r.status])).toEqual([
          ['SC-2026-0001/1', 'sent'],
          ['SC-2026-0001/2', 'pending'],
        ]);
        const events = await pool.query(
          'SELECT position, event->>$2 AS type FROM case_events WHERE case_id = $1 ORDER BY position',
          [c.id, 'type'],
        );
        expect(events.rows).toEqual([
          { position: 0, type: 'raised' },
          { position: 1, type: 'acknowledged' },
        ]);
        // A shorter history or outbox (never done by the service, but allowed) drops the rest.
        await store.save(c);
        expect(await store.get(c.id)).toEqual(c);
      });
    });

    it('saves a case and its outbox together: a failed save leaves the previous version whole', async () => {
      await withStore(async (store) => {
        const c = makeCase(1, { notifications: [note('SC-2026-0001', 'pending')] });
        await store.save(c);
        // Two messages with one id break the outbox's primary key partway through the save.
        const bad = {
          ...c,
          status: 'acknowledged' as const,
          notifications: [note(c.id, 'sent'), note(c.id, 'pending')],
        };
        await expect(store.save(bad)).rejects.toThrow();
        expect(await store.get(c.id)).toEqual(c);
      });
    });

    it('purge removes a case with its history and outbox rows', async () => {
      await withStore(async (store, pool) => {
        await store.save(finished(1, '2026-01-01T00:00:00.000Z'));
        expect(await store.purge('2026-02-01T00:00:00.000Z')).toBe(1);
        for (const table of ['cases', 'case_events', 'case_outbox']) {
          const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`);
          expect(rows[0].n, table).toBe(0);
        }
      });
    });
  });
});
