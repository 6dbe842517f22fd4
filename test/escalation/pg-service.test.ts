import { describe, expect, it } from 'vitest';
import type { Case } from '../../src/escalation/case.js';
import { PgCaseStore } from '../../src/escalation/pg-case-store.js';
import { PgStore } from '../../src/storage/pg/index.js';
import { pgSkipReason, pgSuiteTitle, usePostgres } from '../helpers/pg-cluster.js';
import { input, MINUTE, makeService, PRIMARY } from './helpers.js';

const ID = 'SC-2026-0001';

describe.skipIf(pgSkipReason)(pgSuiteTitle('CaseService on PostgreSQL'), () => {
  const db = usePostgres();

  /** The service over a fresh database, as the app wires it: the case store on the store's pool. */
  async function backend() {
    const { url, drop } = await db.migrated();
    const store = await PgStore.open(url);
    const cases = new PgCaseStore(store.pool);
    const outbox = async () =>
      (
        await store.pool.query(
          'SELECT status, attempts, next_attempt_at AS "nextAttemptAt" FROM case_outbox ORDER BY position',
        )
      ).rows;
    return {
      store,
      cases,
      outbox,
      close: async () => {
        await store.close();
        await drop();
      },
    };
  }

  it('the case and its pending message are committed before the send starts', async () => {
    const b = await backend();
    try {
      const { service, notifier } = makeService(b);
      const during: unknown[] = [];
      notifier.before = async () => {
        during.push(...(await b.outbox()));
      };
      expect((await service.escalate(input())).notified).toBe(true);
      expect(during).toEqual([
        { status: 'pending', attempts: 0, nextAttemptAt: '2026-11-27T01:00:00.000Z' },
      ]);
      expect(await b.outbox()).toMatchObject([{ status: 'sent', attempts: 1 }]);
      expect((await b.store.readAudit()).map((e) => e.type)).toContain('case-raised');
    } finally {
      await b.close();
    }
  });

  it('a contact that cannot be reached: retried from the outbox rows, delivered once, acknowledged', async () => {
    const b = await backend();
    try {
      const { service, notifier, clock } = makeService(b);
      notifier.failNext(2, 'sec');
      expect((await service.escalate(input())).notified).toBe(false);
      expect(await b.outbox()).toEqual([
        { status: 'pending', attempts: 1, nextAttemptAt: '2026-11-27T01:00:30.000Z' },
      ]);
      for (let i = 0; i < 6; i++) {
        clock.advance(MINUTE);
        await service.tick();
      }
      expect(notifier.delivered('sec')).toHaveLength(1);
      expect(await b.outbox()).toMatchObject([{ status: 'sent', attempts: 3 }]);
      await service.act(PRIMARY, 'ack', ID);
      const c = (await b.cases.get(ID)) as Case;
      expect(c.status).toBe('acknowledged');
      expect(c.history.map((e) => e.type)).toEqual(['raised', 'acknowledged']);
      // The reporter's "picked up" message went out through the outbox too.
      expect((await b.outbox()).map((r) => r.status)).toEqual(['sent', 'sent']);
      expect((await b.cases.listActive()).map((x) => x.id)).toEqual([ID]);
    } finally {
      await b.close();
    }
  });
});
