import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PgStore } from '../../src/storage/pg/index.js';
import { answerAll, Chat, textOf } from '../checklist/helpers.js';
import { pgSkipReason, pgSuiteTitle, usePostgres } from '../helpers/pg-cluster.js';
import { startTestServer } from '../helpers/server.js';

describe.skipIf(pgSkipReason)(pgSuiteTitle('the bot on PostgreSQL (DATABASE_URL)'), () => {
  const db = usePostgres();

  it('a report raises a case kept in the database, with its outbox, across a restart', async () => {
    // An empty database: the app creates the tables itself at start-up.
    const { url, drop } = await db.fresh();
    const env = { DATABASE_URL: url };
    try {
      let s = await startTestServer({ env });
      expect(s.advisor.store).toBeInstanceOf(PgStore);
      const staff = new Chat(s, 'aroha');
      await staff.say('report');
      const done = await answerAll(staff, [
        'A delegation member asked me for the port expansion plans.',
        'At the dinner last Tuesday',
        'A member of the visiting delegation',
        'yes',
      ]);
      expect(textOf(done)).toContain('(case SC-2026-0001)');
      // Nothing of it went to the data folder.
      expect(existsSync(join(s.dataDir, 'state.json'))).toBe(false);
      expect(existsSync(join(s.dataDir, 'cases'))).toBe(false);
      await s.close();

      s = await startTestServer({ env });
      try {
        const store = s.advisor.store as PgStore;
        const { rows } = await store.pool.query(
          'SELECT c.id, c.status, o.status AS outbox FROM cases c JOIN case_outbox o ON o.case_id = c.id',
        );
        expect(rows).toEqual([{ id: 'SC-2026-0001', status: 'new', outbox: 'sent' }]);
        expect((await store.readAudit()).map((e) => e.type)).toContain('case-raised');
        // The counter lives in the database: the next id follows on.
        expect(await store.nextSequence('SC-2026')).toBe(2);
        expect(await store.listTrips('web:-:aroha')).toHaveLength(1);
      } finally {
        await s.close();
      }
    } finally {
      await drop();
    }
  });
});
