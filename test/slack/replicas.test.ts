/**
 * Slack over HTTP with two replicas: two real Bolt adapters, each with its own advisor and its
 * own PostgreSQL store, on one throw-away database, posting to one loopback Web API stub. A
 * retry of an event that landed on the other replica is answered once; a database that is
 * down or hangs does not lose an event.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pause } from '../helpers/async.js';
import {
  pgSkipReason,
  pgSuiteTitle,
  type TestDatabase,
  usePostgres,
} from '../helpers/pg-cluster.js';
import { REPORTER, type SlackStack, startSlackStack } from './harness.js';
import { SlackApiStub, textOf } from './stub.js';

const QUESTION = 'what counts as foreign interference?';
const mention = (ts: string) => ({
  type: 'app_mention',
  channel: 'C0GENERAL',
  user: REPORTER,
  team: 'T1',
  text: `<@U0BOT> ${QUESTION}`,
  ts,
  event_ts: ts,
});
const dm = (ts: string) => ({
  type: 'message',
  channel_type: 'im',
  channel: `D${REPORTER.slice(1)}`,
  user: REPORTER,
  team: 'T1',
  text: QUESTION,
  ts,
  event_ts: ts,
});
const retry = (n: number) => ({
  'x-slack-retry-num': String(n),
  'x-slack-retry-reason': 'http_timeout',
});

describe.skipIf(pgSkipReason)(pgSuiteTitle('Slack retries across two replicas'), () => {
  const db = usePostgres();
  let stub: SlackApiStub;
  let database: TestDatabase;
  let a: SlackStack;
  let b: SlackStack;
  beforeAll(async () => {
    stub = await SlackApiStub.start();
  });
  afterAll(async () => {
    await stub?.close();
  });
  /** Two replicas on a new database; a short wait for the store's answer on event ids. */
  const start = async () => {
    database = await db.migrated();
    const env = { DATABASE_URL: database.url };
    a = await startSlackStack({ stub, env, seenTimeoutMs: 500 });
    b = await startSlackStack({ stub, env, seenTimeoutMs: 500 });
  };
  afterEach(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });
  const answersTo = (channel: string, after: number) =>
    stub.posts(channel, after).filter((c) => textOf(c).toLowerCase().includes('interference'));

  it('a retry on the other replica is not answered again (direct message and mention)', async () => {
    await start();
    const mark = stub.mark();
    expect((await a.slack.event(dm('1700000200.000100'), { eventId: 'EvDM1' })).status).toBe(200);
    await stub.waitFor('chat.postMessage', (c) => c.body.channel === `D${REPORTER.slice(1)}`, {
      after: mark,
    });
    const retried = await b.slack.event(dm('1700000200.000100'), {
      eventId: 'EvDM1',
      headers: retry(1),
    });
    expect(retried.status).toBe(200);
    // A second retry, to the first replica again.
    await a.slack.event(dm('1700000200.000100'), { eventId: 'EvDM1', headers: retry(2) });

    await a.slack.event(mention('1700000300.000100'), { eventId: 'EvMention1' });
    await stub.waitFor('chat.postMessage', (c) => c.body.channel === 'C0GENERAL', { after: mark });
    await b.slack.event(mention('1700000300.000100'), {
      eventId: 'EvMention1',
      headers: retry(1),
    });
    // A new event on replica b is answered, so b was working: the retries were dropped.
    await b.slack.event(mention('1700000400.000100'), { eventId: 'EvMention2' });
    await stub.waitFor('chat.postMessage', (c) => c.body.channel === 'C0GENERAL', {
      after: mark,
      count: 2,
    });
    await pause(300);
    expect(answersTo(`D${REPORTER.slice(1)}`, mark)).toHaveLength(1);
    expect(answersTo('C0GENERAL', mark)).toHaveLength(2);
    expect(answersTo('C0GENERAL', mark).map((c) => c.body.thread_ts)).toEqual([
      '1700000300.000100',
      '1700000400.000100',
    ]);
  });

  it('when the database refuses connections, an event is still answered (nothing lost)', async () => {
    await start();
    const name = new URL(database.url).pathname.slice(1);
    await db.cluster.admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await db.cluster.admin(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`,
    );
    try {
      const mark = stub.mark();
      await b.slack.event(mention('1700000500.000100'), { eventId: 'EvDown1' });
      await stub.waitFor('chat.postMessage', (c) => c.body.channel === 'C0GENERAL', {
        after: mark,
      });
      expect(answersTo('C0GENERAL', mark)).toHaveLength(1);
      await expect(b.advisor.store.firstSeen('probe')).rejects.toThrow();
    } finally {
      await db.cluster.admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    }
  });

  it('when the database hangs on event ids, an event is still answered (nothing lost)', async () => {
    await start();
    // Another session holds the event-id table, so the store's insert waits and never answers.
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE seen_events IN ACCESS EXCLUSIVE MODE');
      const mark = stub.mark();
      await a.slack.event(mention('1700000600.000100'), { eventId: 'EvHang1' });
      await stub.waitFor('chat.postMessage', (c) => c.body.channel === 'C0GENERAL', {
        after: mark,
      });
      expect(answersTo('C0GENERAL', mark)).toHaveLength(1);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
  });
});
