import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  answerAll,
  Chat,
  choiceStepOf,
  DAY_MS,
  type OwnServer,
  openServer,
  RISKY_OUTBOUND,
  START,
  stepOf,
  tempDir,
  textOf,
} from './helpers.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function inbox(server: TestServer, userId: string) {
  const res = await fetch(new URL(`/api/inbox?userId=${userId}`, server.url));
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: { text: string; actions: any[] }[] }).messages;
}

describe('resume after a restart', () => {
  it('carries on at the same step with the same answers on the same data directory', async () => {
    const dataDir = await tempDir('sca-resume-');
    let server: OwnServer | undefined;
    try {
      server = await openServer(dataDir);
      let chat = new Chat(server, 'mere');
      await chat.say('pretrip');
      const before = await answerAll(chat, RISKY_OUTBOUND.slice(0, 4));
      expect(stepOf(before)).toEqual({ index: 5, total: 18 });
      await server.close();
      server = undefined;

      server = await openServer(dataDir, fixedClock(new Date(Date.parse(START) + 3 * DAY_MS)));
      chat = new Chat(server, 'mere');
      const offer = await chat.say('pretrip');
      expect(offer[0]?.text).toContain(
        'You already have a pre-trip security checklist in progress (step 5 of 18).',
      );
      const resumed = await chat.say('continue');
      expect(stepOf(resumed)).toEqual({ index: 5, total: 18 });
      expect(resumed[0]?.text).toContain('Where are you going?');
      expect(resumed[0]?.actions.map((a) => a.label)).toContain('Back');
      const [summary] = await answerAll(chat, RISKY_OUTBOUND.slice(4));
      expect(summary?.text).toContain('Purpose: Sister-city anniversary with Suqian');
      expect(summary?.text).toContain('Start date: 5 March 2027');
      expect(summary?.text).toContain('Your reference is TR-2026-0001.');
      // The trip record and the job survive another restart too.
      await server.close();
      server = await openServer(dataDir);
      expect((await server.advisor.store.listJobs()).map((j) => j.id)).toEqual([
        'debrief:TR-2026-0001',
      ]);
      expect(textOf(await new Chat(server, 'mere').say('my trips'))).toContain('TR-2026-0001');
    } finally {
      await server?.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('expiry', () => {
  it('a run untouched for 15 days expires; the next message says so', async () => {
    s = await startTestServer({ env: { ESCALATION_ENABLED: 'false' } });
    const chat = new Chat(s, 'nika');
    await chat.say('pretrip');
    await answerAll(chat, ['Overseas trip']);
    s.clock.advance(13 * DAY_MS);
    expect(stepOf(await chat.say('Sister-city anniversary'))).toEqual({ index: 3, total: 18 });
    // An answer resets the clock: 14 days after it is not yet too long.
    s.clock.advance(14 * DAY_MS - 60_000);
    expect(stepOf(await chat.say('continue'))).toEqual({ index: 3, total: 18 });
    s.clock.advance(15 * DAY_MS);
    const r = await chat.say('continue');
    expect(r[0]?.text).toContain(
      "Your pre-trip security checklist from 27 November 2026 expired after 14 days without activity, so I've cleared it.",
    );
    expect(r[0]?.actions).toEqual([
      expect.objectContaining({ id: 'checklist:start', value: 'pretrip' }),
    ]);
    expect(await s.advisor.store.getConversation('web:-:nika')).toBeUndefined();
    const fresh = await chat.press('checklist:start', 'pretrip');
    expect(stepOf(fresh)).toEqual({ index: 1, total: 18, about: true });
  });

  it('a button pressed after expiry gets the notice, and "pretrip" starts afresh with it', async () => {
    s = await startTestServer({ env: { ESCALATION_ENABLED: 'false' } });
    const chat = new Chat(s, 'oli');
    await chat.say('pretrip');
    s.clock.advance(15 * DAY_MS);
    const pressed = await chat.choose('visit-type', 'outbound');
    expect(pressed[0]?.text).toMatch(/expired after 14 days without activity/);
    expect(pressed).toHaveLength(1);

    await chat.say('pretrip');
    s.clock.advance(15 * DAY_MS);
    const r = await chat.say('pretrip');
    expect(r[0]?.text).toMatch(/expired after 14 days without activity/);
    expect(stepOf(r)).toEqual({ index: 1, total: 18, about: true });
  });

  // BUG (src/checklist/flow.ts, onText: `if (expiredNotice) return checklistCommand(text) ?
  // [expiredNotice] : undefined;`): active() has already deleted the expired run, but for any
  // text that is not a navigation command (here, the answer to the step the user was on) the
  // notice is thrown away and the text is answered as a guidance question. The user is never
  // told the checklist expired, and their answer gets "I don't have guidance on that".
  // Fix: return the notice for any text, or have the bot put it before the question's answer.
  it('typing the answer to the pending step after expiry also says it expired', async () => {
    s = await startTestServer({ env: { ESCALATION_ENABLED: 'false' } });
    const chat = new Chat(s, 'pita');
    await chat.say('pretrip');
    await answerAll(chat, ['Overseas trip']);
    s.clock.advance(15 * DAY_MS);
    const r = await chat.say('Sister-city anniversary with Suqian');
    expect(textOf(r)).toMatch(/expired after 14 days without activity/);
  });

  // BUG (src/checklist/flow.ts, navigate 'continue', and the refused-answer / stale-button paths
  // of applyAnswer and onAction): only accepted answers, back and skip save the run, so only they
  // refresh `updatedAt`. A user who presses Continue (or gives an unreadable date) on day 13 and
  // answers on day 15 is told the checklist "expired after 14 days without activity".
  // Fix: save the run (touching updatedAt) whenever a message or button is handled for it.
  it('pressing Continue counts as activity', async () => {
    s = await startTestServer({ env: { ESCALATION_ENABLED: 'false' } });
    const chat = new Chat(s, 'quinn');
    await chat.say('pretrip');
    s.clock.advance(13 * DAY_MS);
    expect(stepOf(await chat.press('checklist:continue'))).toEqual({
      index: 1,
      total: 18,
      about: true,
    });
    s.clock.advance(2 * DAY_MS);
    const r = await chat.choose('visit-type', 'outbound');
    expect(textOf(r)).not.toMatch(/expired/);
    expect(stepOf(r)).toEqual({ index: 2, total: 18 });
  });
});

describe('the debrief', () => {
  it('is sent when due, then started from its button, and escalates unusual contact', async () => {
    s = await startTestServer({ env: { ESCALATION_ENABLED: 'false' } });
    const chat = new Chat(s, 'rangi');
    await chat.say('pretrip');
    await answerAll(chat, RISKY_OUTBOUND);
    const [job] = await s.advisor.store.listJobs();
    expect(job?.dueAt).toBe('2027-03-07T20:00:00.000Z');

    // Not yet due: nothing is sent and the job stays.
    s.clock.advance(Date.parse(job!.dueAt) - s.clock.now().getTime() - 60_000);
    expect(await s.advisor.scheduler.tick()).toBe(0);
    expect(await inbox(s, 'rangi')).toEqual([]);
    expect(await s.advisor.store.listJobs()).toHaveLength(1);

    s.clock.advance(2 * 60_000);
    expect(await s.advisor.scheduler.tick()).toBe(1);
    const messages = await inbox(s, 'rangi');
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toContain('Welcome back. Your visit (TR-2026-0001) has finished');
    expect(messages[0]?.actions).toEqual([
      expect.objectContaining({ id: 'checklist:start', value: 'debrief:TR-2026-0001' }),
    ]);
    expect(await s.advisor.store.listJobs()).toEqual([]);
    expect(await s.advisor.scheduler.tick()).toBe(0);
    expect(await inbox(s, 'rangi')).toEqual([]);

    const started = await chat.press('checklist:start', 'debrief:TR-2026-0001');
    expect(started[0]?.text).toMatch(/^Post-trip debrief\n\nWelcome back\./);
    expect(stepOf(started)).toEqual({ index: 1, total: 4, about: true });
    expect(choiceStepOf(started)).toBe('unusual-contact');
    const next = await chat.say('yes');
    expect(stepOf(next)).toEqual({ index: 2, total: 4 });
    const [summary] = await answerAll(chat, [
      'A man from the host office asked twice about our port plans.',
      'no',
      'no',
    ]);
    expect(summary?.text).toContain('Post-trip debrief complete. Your reference is DB-2027-0001.');
    expect(summary?.text).toContain('High (1)');
    expect(summary?.text).toContain('Unusual contact during the visit.');

    const requests = await s.advisor.store.listEscalationRequests();
    expect(requests).toHaveLength(2);
    expect(requests[1]).toMatchObject({
      id: 'ER-2027-0001',
      source: 'debrief',
      tripId: 'TR-2026-0001',
      flags: [expect.objectContaining({ id: 'unusual-contact', severity: 'high' })],
    });
    expect(requests[1]?.answers).toContainEqual({
      stepId: 'contact-details',
      label: 'What happened',
      answer: 'A man from the host office asked twice about our port plans.',
    });
    const [, debrief] = await s.advisor.store.listTrips('web:-:rangi');
    expect(debrief).toMatchObject({
      id: 'DB-2027-0001',
      checklist: 'debrief',
      tripId: 'TR-2026-0001',
    });
    expect(await s.advisor.store.listJobs()).toEqual([]);
    expect((await chat.say('my trips'))[0]?.text).toContain(
      'DB-2027-0001: Debrief for TR-2026-0001.',
    );
  });

  it('"debrief" typed starts one for the last trip; a quiet debrief does not escalate', async () => {
    s = await startTestServer({ env: { ESCALATION_ENABLED: 'false' } });
    const chat = new Chat(s, 'tui');
    await chat.say('pretrip');
    await answerAll(chat, RISKY_OUTBOUND);
    const started = await chat.say('debrief');
    expect(stepOf(started)).toEqual({ index: 1, total: 4, about: true });
    const [summary] = await answerAll(chat, ['no', 'yes', 'no']);
    expect(summary?.text).toContain('For your information (1)');
    expect(summary?.text).toContain('Nothing here needs to go to your security contact.');
    expect(await s.advisor.store.listEscalationRequests()).toHaveLength(1);
    const trips = await s.advisor.store.listTrips('web:-:tui');
    expect(trips.at(-1)).toMatchObject({ checklist: 'debrief', tripId: 'TR-2026-0001' });
  });

  it('a job for a platform with no notifier is kept for a later tick', async () => {
    s = await startTestServer({ env: { ESCALATION_ENABLED: 'false' } });
    await s.advisor.store.scheduleJob({
      id: 'debrief:TR-2026-0042',
      dueAt: '2026-11-26T20:00:00.000Z',
      kind: 'debrief',
      user: { platform: 'slack', id: 'U123', workspace: 'T1' },
      tripId: 'TR-2026-0042',
    });
    expect(await s.advisor.scheduler.tick()).toBe(0);
    expect((await s.advisor.store.listJobs()).map((j) => j.id)).toEqual(['debrief:TR-2026-0042']);
  });
});

describe('"continue" with nothing in progress', () => {
  it('says so, and names a run finished in the last day with its reference and case', async () => {
    const dataDir = await tempDir('sca-nothing-');
    let server: OwnServer | undefined;
    try {
      server = await openServer(dataDir);
      const chat = new Chat(server, 'hemi');
      const [none] = await chat.say('continue');
      expect(none?.text).toBe(
        'Nothing is in progress. Type pretrip, debrief or report to start one.',
      );
      await chat.say('pretrip');
      const [summary] = await answerAll(chat, RISKY_OUTBOUND);
      const reference = /Your reference is (TR-\d{4}-\d{4})/.exec(summary?.text ?? '')?.[1];
      expect(reference).toBeDefined();
      // The confirmation was lost, say: "continue" tells them the run went through.
      const [last] = await chat.say('continue');
      expect(last?.text).toMatch(/^Nothing is in progress\. Your last one, “.+”, finished at /);
      expect(last?.text).toContain(`your reference is ${reference}`);
      expect(last?.text).toMatch(/went to your security contact \((SC|ER)-\d{4}-\d{4}\)/);
      // Nothing new was started or recorded by it.
      const [trips] = await chat.say('my trips');
      expect([...new Set(trips?.text.match(/TR-\d{4}-\d{4}/g))]).toEqual([reference]);
    } finally {
      await server?.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
