/**
 * The web inbox in PostgreSQL (PgInboxStore), as two replicas use it: two stores with pools of
 * their own on one database. Delivery keys, id order, drain and resume, and NOTIFY across them.
 */
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StoredInbox } from '../../adapters/web/stored-inbox.js';
import { silentLogger } from '../../src/logger.js';
import type { Reply } from '../../src/model.js';
import { PgInboxStore } from '../../src/storage/pg/inbox.js';
import { createPool } from '../../src/storage/pg/index.js';
import { pause, until } from '../helpers/async.js';
import { pgSkipReason, pgSuiteTitle, usePostgres } from '../helpers/pg-cluster.js';

const reply = (text: string): Reply => ({
  kind: 'notice',
  blocks: [{ type: 'paragraph', text }],
});
const texts = (records: { reply: Reply }[]) =>
  records.map((r) => (r.reply.blocks[0] as { text: string }).text);
const USER = { platform: 'web' as const, id: 'aroha' };

describe.skipIf(pgSkipReason)(pgSuiteTitle('PostgreSQL web inbox'), () => {
  const db = usePostgres();
  const pools: pg.Pool[] = [];
  const drops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const p of pools.splice(0)) await p.end();
    for (const d of drops.splice(0)) await d();
  });
  /** Two inbox stores on one new database, as two replicas hold them. */
  const twoReplicas = async (maxPerUser?: number): Promise<[PgInboxStore, PgInboxStore]> => {
    const { url, drop } = await db.migrated();
    drops.push(drop);
    const open = () => {
      const pool = createPool(url);
      pools.push(pool);
      return new PgInboxStore(pool, silentLogger(), maxPerUser);
    };
    return [open(), open()];
  };

  it('a message delivered twice with one key is stored once, by either replica, even at once', async () => {
    const [a, b] = await twoReplicas();
    const first = await a.append(
      'aroha',
      [{ reply: reply('one') }, { reply: reply('two') }],
      'SC-1/1',
    );
    const again = await b.append(
      'aroha',
      [{ reply: reply('one') }, { reply: reply('two') }],
      'SC-1/1',
    );
    expect(again).toEqual(first);
    const together = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).append('aroha', [{ reply: reply('three') }], 'SC-1/2'),
      ),
    );
    expect(new Set(together.map((r) => r[0]?.id)).size).toBe(1);
    expect(texts(await a.list('aroha'))).toEqual(['one', 'two', 'three']);
    // Without a key, each delivery is its own message; another user's key space is their own.
    await a.append('aroha', [{ reply: reply('four') }]);
    await a.append('aroha', [{ reply: reply('four') }]);
    await a.append('bo', [{ reply: reply('one') }], 'SC-1/1-bo');
    expect(texts(await b.list('aroha'))).toEqual(['one', 'two', 'three', 'four', 'four']);
    expect(texts(await b.list('bo'))).toEqual(['one']);
  });

  it("ids increase in a user's order across replicas, and lastId is the highest handed out", async () => {
    const [a, b] = await twoReplicas();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? a : b).append('aroha', [{ reply: reply(`m${i}`) }]),
      ),
    );
    const ids = (await a.list('aroha')).map((r) => r.id);
    expect(ids).toHaveLength(30);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(30);
    expect(await b.lastId()).toBe(Math.max(...ids));
    // Messages in one append keep their order.
    const batch = await b.append(
      'aroha',
      ['x', 'y', 'z'].map((t) => ({ reply: reply(t) })),
    );
    expect(texts(batch)).toEqual(['x', 'y', 'z']);
    expect(batch.map((r) => r.id)).toEqual([...batch.map((r) => r.id)].sort((x, y) => x - y));
    expect(batch[0]!.id).toBeGreaterThan(Math.max(...ids));
  });

  it('keeps each user their last messages only', async () => {
    const [a] = await twoReplicas(3);
    for (const t of ['1', '2', '3', '4', '5']) await a.append('aroha', [{ reply: reply(t) }]);
    await a.append('bo', [{ reply: reply('b') }]);
    expect(texts(await a.list('aroha'))).toEqual(['3', '4', '5']);
    expect(texts(await a.list('bo'))).toEqual(['b']);
  });

  it('drain hands over unseen messages once, on any replica; a page resumes after its last id', async () => {
    const [a, b] = await twoReplicas();
    const onA = new StoredInbox(a);
    const onB = new StoredInbox(b);
    await onA.notify(USER, [reply('one')], { key: 'j1' });
    await onA.notify(USER, [reply('two')], { key: 'j2' });
    await onB.notify(USER, [reply('one')], { key: 'j1' });
    const drained = await onB.drain('aroha');
    expect(texts(drained.messages)).toEqual(['one', 'two']);
    expect((await onA.drain('aroha')).messages).toEqual([]);
    await onB.notify(USER, [reply('three')]);
    // A page that saw "one" reconnects to the other replica with Last-Event-ID.
    const got: string[] = [];
    const stop = onA.subscribe('aroha', (m) => got.push(texts([m])[0]!), drained.messages[0]!.id);
    await until(() => got.length >= 2, 'the resumed stream');
    expect(got).toEqual(['two', 'three']);
    stop();
    expect(texts(await a.list('aroha', drained.messages[1]!.id))).toEqual(['three']);
  });

  it('a message kept on one replica wakes a listener on the other (LISTEN/NOTIFY)', async () => {
    const [a, b] = await twoReplicas();
    const heard: string[] = [];
    const unwatch = await b.watch((userId) => heard.push(userId));
    await a.append('aroha', [{ reply: reply('hello') }]);
    await a.append('bo', [{ reply: reply('hi') }]);
    await until(() => heard.length >= 2, 'two notifications on the other replica');
    expect(heard).toEqual(['aroha', 'bo']);
    // A stream on replica b gets a message sent from replica a.
    const onB = new StoredInbox(b);
    await onB.start();
    const got: string[] = [];
    const stop = onB.subscribe('aroha', (m) => got.push(texts([m])[0]!));
    await until(() => got.length >= 1, 'the unseen message on connect');
    await new StoredInbox(a).notify(USER, [reply('later')]);
    await until(() => got.length >= 2, 'the message sent from the other replica');
    expect(got).toEqual(['hello', 'later']);
    stop();
    await onB.close();
    await unwatch();
    const before = heard.length;
    await a.append('aroha', [{ reply: reply('after') }]);
    // A listener still subscribed would hear of it well within this pause.
    await pause(200);
    expect(heard.length).toBe(before);
  });

  it('a listener whose connection is cut gives it back once, reconnects once and catches up', async () => {
    const [a, b] = await twoReplicas();
    const heard: string[] = [];
    const unwatch = await b.watch((userId) => heard.push(userId));
    // Cut the listening connection from the other replica's pool, as a failover would. pg then
    // reports more than one error on it; giving it back twice used to throw out of the handler.
    const pool = pools[0] as pg.Pool;
    const cut = await pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()",
    );
    expect(cut.rowCount).toBe(1);
    await until(() => heard.includes('*'), 'the reconnected listener telling pages to catch up');
    await a.append('aroha', [{ reply: reply('after the cut') }]);
    await until(() => heard.includes('aroha'), 'a notification on the new connection');
    await pause(1500);
    expect(heard.filter((u) => u === '*')).toEqual(['*']);
    await unwatch();
    // Its connection is back in the pool: cutting it now concerns the pool, not the listener
    // (which once gave it back a second time, throwing where nothing could catch it).
    await pool.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    await pause(300);
    expect(heard.filter((u) => u === '*')).toEqual(['*']);
  });
});
