/**
 * Slack over HTTP, through the real stack: request signing, answers in DMs and threads,
 * /pretrip's ack, de-duplicated retries and the App Home.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPORTER,
  SIGNING_SECRET,
  type SlackStack,
  signature,
  startSlackStack,
} from './harness.js';
import { SlackUser } from './people.js';
import { blockTexts, textOf } from './stub.js';

let s: SlackStack;
beforeAll(async () => {
  s = await startSlackStack();
});
afterAll(async () => {
  await s?.close();
});

const QUESTION = 'what counts as foreign interference?';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dmEvent = (user: string, text: string, extra: Record<string, unknown> = {}) => ({
  type: 'message',
  channel_type: 'im',
  channel: `D${user.slice(1)}`,
  user,
  team: 'T1',
  text,
  ts: '1700000100.000200',
  ...extra,
});

describe('request signing', () => {
  it('refuses a forged signature, a tampered body and a stale timestamp, with no side effects', async () => {
    const mark = s.stub.mark();
    const body = s.slack.eventBody(dmEvent(REPORTER, QUESTION));
    const now = Math.floor(Date.now() / 1000);
    const forged = await s.slack.raw(body, 'application/json', {
      'x-slack-signature': signature('not-the-secret', now, body),
      'x-slack-request-timestamp': String(now),
    });
    expect(forged.status).toBe(401);

    const tampered = body.replace(QUESTION, 'what gifts can I accept?');
    const tamperedRes = await s.slack.raw(tampered, 'application/json', {
      'x-slack-signature': signature(SIGNING_SECRET, now, body),
      'x-slack-request-timestamp': String(now),
    });
    expect(tamperedRes.status).toBe(401);

    const old = now - 6 * 60;
    const stale = await s.slack.raw(body, 'application/json', {
      'x-slack-signature': signature(SIGNING_SECRET, old, body),
      'x-slack-request-timestamp': String(old),
    });
    expect(stale.status).toBe(401);

    const unsigned = await fetch(s.slack.url, { method: 'POST', body, headers: {} });
    expect(unsigned.status).toBe(401);
    await sleep(300);
    expect(s.stub.calls.slice(mark)).toEqual([]);
    expect(await s.advisor.store.readAudit()).toEqual([]);
  });
});

describe('request timestamps (Slack: at most five minutes from now, either way)', () => {
  const signedAt = (body: string, at: number) => ({
    'x-slack-signature': signature(SIGNING_SECRET, at, body),
    'x-slack-request-timestamp': String(at),
  });

  it('refuses a correctly signed request dated 10 minutes ahead with 401, and posts nothing', async () => {
    const mark = s.stub.mark();
    const body = s.slack.eventBody(dmEvent(REPORTER, QUESTION));
    const ahead = Math.floor(Date.now() / 1000) + 10 * 60;
    const res = await s.slack.raw(body, 'application/json', signedAt(body, ahead));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text).error.message).toMatch(/in the future/);
    await sleep(300);
    expect(s.stub.posts(undefined, mark)).toEqual([]);
    expect(await s.advisor.store.readAudit()).toEqual([]);
  });

  it('refuses one dated 10 minutes ago with 401', async () => {
    const body = s.slack.eventBody(dmEvent(REPORTER, QUESTION));
    const ago = Math.floor(Date.now() / 1000) - 10 * 60;
    expect((await s.slack.raw(body, 'application/json', signedAt(body, ago))).status).toBe(401);
  });

  it('accepts one dated 4 minutes ahead (a client clock slightly fast) and answers it', async () => {
    const mark = s.stub.mark();
    const user = 'UFAST0001';
    const body = s.slack.eventBody(dmEvent(user, QUESTION));
    const ahead = Math.floor(Date.now() / 1000) + 4 * 60;
    const res = await s.slack.raw(body, 'application/json', signedAt(body, ahead));
    expect(res.status).toBe(200);
    const [reply] = await s.stub.waitFor(
      'chat.postMessage',
      (c) => c.body.channel === `D${user.slice(1)}`,
      {
        after: mark,
      },
    );
    expect(blockTexts(reply!).join('\n')).toContain('Foreign interference is covert');
  });
});

describe('bodies Bolt cannot dispatch', () => {
  it('answers a signed JSON null with 400 at once (Bolt 5.1 would throw outside its try)', async () => {
    for (const [body, type] of [
      ['null', 'application/json'],
      ['payload=null', 'application/x-www-form-urlencoded'],
      ['{"event_id":"Ev1"}', 'application/json'],
    ] as const) {
      const res = await s.slack.raw(body, type);
      expect(res.status, body).toBe(400);
      expect(JSON.parse(res.text).error.code).toBe('bad_request');
    }
  });

  it('still refuses the same bodies unsigned with 401', async () => {
    const res = await fetch(s.slack.url, {
      method: 'POST',
      body: 'null',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
  });
});

describe('answers', () => {
  it('answers a DM with blocks: answer, source link, review date, feedback, ask the contact', async () => {
    const aroha = new SlackUser(s, REPORTER);
    const reply = await aroha.say(QUESTION, /Foreign interference is covert/);
    expect(reply.body.channel).toBe(aroha.dm);
    expect(reply.body.unfurl_links).toBe('false'); // form-encoded
    const text = blockTexts(reply).join('\n');
    expect(text).toContain('Foreign interference is covert');
    expect(text).toMatch(
      /<https:\/\/example\.org\/fi-definition\|Fixture source for fi-definition>/,
    );
    expect(text).toContain('Last reviewed 10 January 2026');
    const buttons = (reply.body.blocks as any[])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements)
      .map((e) => e.text.text);
    expect(buttons).toEqual(
      expect.arrayContaining(['Helpful', 'Not helpful', 'Ask the security contact']),
    );
    // The fallback text (what notifications show) is plain, escaped text.
    expect(reply.body.text).toContain('Foreign interference is covert');
    // A question needs no name: users.info is called only when a record (a trip, a case) will
    // carry it (the checklist and escalation tests check the name arrives there).
    expect(s.stub.callsTo('users.info', (c) => c.body.user === REPORTER)).toEqual([]);
  });

  it("ignores the bot's own messages and other bots' messages", async () => {
    const mark = s.stub.mark();
    const own = await s.slack.event(dmEvent('U0BOT', QUESTION, { bot_id: 'B0BOT' }));
    const other = await s.slack.event(
      dmEvent('U0OTHERBOT', QUESTION, { bot_id: 'B0OTHER', subtype: 'bot_message' }),
    );
    const edited = await s.slack.event(dmEvent(REPORTER, QUESTION, { subtype: 'message_changed' }));
    expect([own.status, other.status, edited.status]).toEqual([200, 200, 200]);
    await sleep(300);
    expect(s.stub.posts(undefined, mark)).toEqual([]);
  });

  it('answers an app_mention in its thread, with the mention stripped from the question', async () => {
    const mark = s.stub.mark();
    const res = await s.slack.event({
      type: 'app_mention',
      channel: 'C0GENERAL',
      user: REPORTER,
      team: 'T1',
      text: `<@U0BOT> ${QUESTION}`,
      ts: '1700000200.000300',
      event_ts: '1700000200.000300',
    });
    expect(res.status).toBe(200);
    const [reply] = await s.stub.waitFor(
      'chat.postMessage',
      (c) => c.body.channel === 'C0GENERAL',
      { after: mark },
    );
    expect(reply!.body.thread_ts).toBe('1700000200.000300');
    expect(textOf(reply)).toContain('Foreign interference is covert');
    // Had the mention stayed in, the audit would show a question about "<@U0BOT>" going unanswered.
    const audit = await s.advisor.store.readAudit();
    expect(audit.at(-1)).toMatchObject({ type: 'answered', data: { entryId: 'fi-definition' } });
  });
});

describe('/pretrip', () => {
  it('acks with an ephemeral message and starts the checklist in a DM', async () => {
    const mark = s.stub.mark();
    const res = await s.slack.command('/pretrip', 'UPRETRIP1');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      response_type: 'ephemeral',
      text: 'Starting your pre-trip checklist in our direct messages.',
    });
    const [dm] = await s.stub.waitFor('chat.postMessage', (c) => c.body.channel === 'UPRETRIP1', {
      after: mark,
    });
    expect(textOf(dm)).toMatch(/Step 1 of (about )?\d+/);
  });
});

describe('retries', () => {
  it('answers an event delivered twice (x-slack-retry-num: 1) exactly once', async () => {
    const mark = s.stub.mark();
    const user = 'URETRY001';
    const body = s.slack.eventBody(dmEvent(user, QUESTION), 'EvRETRY1');
    const retry = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };
    const first = await s.slack.raw(body, 'application/json');
    const second = await s.slack.raw(body, 'application/json', retry);
    expect([first.status, second.status]).toEqual([200, 200]);
    await s.stub.waitFor('chat.postMessage', (c) => c.body.channel === 'DRETRY001', {
      after: mark,
    });
    // A retry that overtakes a slow first delivery is also dropped.
    const body2 = s.slack.eventBody(dmEvent(user, 'what about gifts and koha?'), 'EvRETRY2');
    await Promise.all([
      s.slack.raw(body2, 'application/json'),
      s.slack.raw(body2, 'application/json', retry),
      s.slack.raw(body2, 'application/json', { ...retry, 'x-slack-retry-num': '2' }),
    ]);
    await s.stub.waitFor('chat.postMessage', (c) => c.body.channel === 'DRETRY001', {
      after: mark,
      count: 2,
    });
    await sleep(400);
    expect(s.stub.posts('DRETRY001', mark)).toHaveLength(2);
  });
});

describe('App Home', () => {
  it('publishes a home view with "Start pre-trip checklist"', async () => {
    const mark = s.stub.mark();
    await s.slack.event({
      type: 'app_home_opened',
      user: 'UHOME0001',
      channel: 'DHOME0001',
      tab: 'home',
      event_ts: '1700000300.000100',
    });
    const [call] = await s.stub.waitFor('views.publish', () => true, { after: mark });
    expect(call!.body.user_id).toBe('UHOME0001');
    expect(call!.body.view.type).toBe('home');
    expect(textOf(call)).toContain('Start pre-trip checklist');
    // The messages tab is not the home tab: nothing is published for it.
    const m2 = s.stub.mark();
    await s.slack.event({ type: 'app_home_opened', user: 'UHOME0001', tab: 'messages' });
    await sleep(200);
    expect(s.stub.callsTo('views.publish', () => true, m2)).toEqual([]);
  });
});
