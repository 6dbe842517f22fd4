import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { inAbout, limitReply, UsageLimits } from '../../src/limits.js';
import { replyToPlain } from '../../src/replies.js';
import { answerAll, Chat, RISKY_OUTBOUND, textOf } from '../checklist/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = '2026-11-27T01:00:00Z';

describe('UsageLimits', () => {
  const make = () => {
    const clock = fixedClock(START);
    const limits = new UsageLimits(
      { messagesPerMinute: 3, checklistsPerHour: 2, casesPerHour: 1 },
      clock,
    );
    return { clock, limits };
  };

  it('allows up to the limit in a sliding window, then says when to try again', () => {
    const { clock, limits } = make();
    for (let i = 0; i < 3; i++) {
      expect(limits.take('messages', 'u')).toEqual({ ok: true });
      clock.advance(10_000);
    }
    // Uses at 0, 10 and 20 s; at 30 s the oldest leaves the window at 60 s.
    expect(limits.take('messages', 'u')).toEqual({
      ok: false,
      kind: 'messages',
      max: 3,
      retryAfterMs: 30_000,
      first: true,
    });
    clock.advance(5000);
    expect(limits.take('messages', 'u')).toMatchObject({ ok: false, retryAfterMs: 25_000 });
    clock.advance(25_000);
    expect(limits.take('messages', 'u')).toEqual({ ok: true });
    // Another user, and another kind, have their own counts.
    expect(limits.take('messages', 'v')).toEqual({ ok: true });
    expect(limits.take('checklists', 'u')).toEqual({ ok: true });
  });

  it('reports the first refusal of each window only', () => {
    const { clock, limits } = make();
    limits.record('cases', 'u');
    const firsts = [];
    for (let i = 0; i < 120; i++) {
      const v = limits.check('cases', 'u');
      if (!v.ok && v.first) firsts.push(i);
      clock.advance(MINUTE);
    }
    // Refused from 0 to 59 minutes (one report); allowed from 60, since a check counts nothing.
    expect(firsts).toEqual([0]);
    expect(limits.check('cases', 'u')).toEqual({ ok: true });
    limits.record('cases', 'u');
    expect(limits.check('cases', 'u')).toMatchObject({ ok: false, first: true });
  });

  it('allows() looks without changing anything', () => {
    const { limits } = make();
    limits.record('cases', 'u');
    expect(limits.allows('cases', 'u')).toBe(false);
    expect(limits.allows('cases', 'v')).toBe(true);
    expect(limits.check('cases', 'u')).toMatchObject({ ok: false, first: true });
  });

  it('forgets idle users, so 20,000 made-up ids do not stay in memory', () => {
    const { clock, limits } = make();
    for (let i = 0; i < 20_000; i++) limits.take('messages', `made-up-${i}`);
    expect(limits.tracked).toBeLessThanOrEqual(20_000);
    clock.advance(2 * MINUTE);
    for (let i = 0; i < 3000; i++) limits.take('messages', `later-${i}`);
    expect(limits.tracked).toBeLessThanOrEqual(3000 + 1);
  });

  it('says when in plain words, with where to go if it is urgent', () => {
    expect(inAbout(1200)).toBe('in about 5 seconds');
    expect(inAbout(37_000)).toBe('in about 40 seconds');
    expect(inAbout(58_000)).toBe('in about a minute');
    expect(inAbout(25 * MINUTE - 1)).toBe('in about 25 minutes');
    const text = replyToPlain(
      limitReply({ ok: false, kind: 'cases', max: 5, retryAfterMs: 20 * MINUTE, first: true }),
    );
    expect(text).toBe(
      "You've raised 5 cases for the security contact in the last hour, which is as many as I can take in an hour, so I haven't opened another one. Your earlier ones are safely recorded. You can raise another in about 20 minutes. If something is urgent, you can call NZSIS on 0800 747 224, or 111 in an emergency.",
    );
  });
});

describe('limits over the JSON API', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });
  const limitEvents = async () =>
    (await s!.advisor.store.readAudit()).filter((e) => e.type === 'limit-reached');

  it('messages a minute: a calm reply, one audit line per window, then back to normal', async () => {
    s = await startTestServer({ env: { MAX_MESSAGES_PER_MINUTE: '3' } });
    const chat = new Chat(s, 'flood');
    for (let i = 0; i < 3; i++) expect(textOf(await chat.say('hi'))).not.toMatch(/try again/);
    for (let i = 0; i < 10; i++) {
      const replies = await chat.say('What counts as foreign interference?');
      expect(replies).toHaveLength(1);
      expect(textOf(replies)).toBe(
        "You've sent 3 messages in the last minute, which is as many as I can take in a minute. Please try again in about a minute. If something is urgent, you can call NZSIS on 0800 747 224, or 111 in an emergency.",
      );
    }
    // Button presses count too.
    expect(textOf(await chat.press('case:ack', 'SC-2026-0001'))).toMatch(/^You've sent 3/);
    expect(textOf(await new Chat(s, 'someone-else').say('hi'))).not.toMatch(/try again/);
    const events = await limitEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: 'web:-:flood',
      data: { limit: 'messages', max: 3, retryAt: '2026-11-27T01:01:00.000Z' },
    });
    s.clock.advance(MINUTE);
    expect(textOf(await chat.say('What counts as foreign interference?'))).toContain(
      'Foreign interference',
    );
  });

  it('checklists an hour, by command or button', async () => {
    s = await startTestServer({ env: { MAX_CHECKLISTS_PER_HOUR: '2' } });
    const chat = new Chat(s, 'starter');
    expect(textOf(await chat.say('pretrip'))).toContain('Step 1 of');
    await chat.say('cancel');
    expect(textOf(await chat.press('checklist:start', 'pretrip'))).toContain('Step 1 of');
    await chat.say('cancel');
    expect(textOf(await chat.say('pretrip'))).toMatch(
      /^You've started 2 checklists in the last hour, .* You can start another in about 60 minutes\. If something is urgent, you can call NZSIS on 0800 747 224/,
    );
    expect(textOf(await chat.press('checklist:start', 'new:debrief'))).toMatch(/^You've started 2/);
    expect(await limitEvents()).toHaveLength(1);
    s.clock.advance(HOUR);
    expect(textOf(await chat.say('pretrip'))).toContain('Step 1 of');
  });

  it('cases an hour: reports and questions are refused before they are written', async () => {
    s = await startTestServer({ env: { MAX_CASES_PER_HOUR: '1' } });
    const chat = new Chat(s, 'reporter');
    await chat.press('case:ask');
    expect(textOf(await chat.say('Is it fine to accept a watch from the delegation?'))).toMatch(
      /has been notified \(case SC-2026-0001\)/,
    );
    const refusal = /^You've raised 1 cases for the security contact in the last hour/;
    expect(textOf(await chat.say('report'))).toMatch(refusal);
    expect(textOf(await chat.press('checklist:start', 'report'))).toMatch(refusal);
    expect(textOf(await chat.press('case:ask'))).toMatch(refusal);
    // A prompt left open from before the limit was reached is dropped, not answered.
    await s.advisor.store.setConversation('web:-:reporter', {
      updatedAt: START,
      prompt: { kind: 'ask-contact' },
    });
    expect(textOf(await chat.say('And another thing for the contact'))).toMatch(refusal);
    expect((await s.advisor.store.getConversation('web:-:reporter'))?.prompt).toBeUndefined();
    const open = await s.advisor.cases!.list({ platform: 'web', id: 'security-contact' });
    expect(replyToPlain(open[0]!)).toContain('Open cases (1)');
    expect((await limitEvents()).map((e) => e.data?.limit)).toEqual(['cases']);
    // A pre-trip checklist is not a case until it is risky, and a risky one always gets through.
    await chat.say('pretrip');
    expect(textOf(await answerAll(chat, RISKY_OUTBOUND))).toMatch(
      /has been notified \(case SC-2026-0002\)/,
    );
    s.clock.advance(HOUR);
    expect(textOf(await chat.press('case:ask'))).toMatch(/What would you like to ask/);
  });
});
