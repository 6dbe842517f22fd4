/**
 * Cases over Slack: the contact's buttons and modal, the reporter's reply, a refused
 * stranger, escaping of reporter text, and delivery that survives Slack API failures.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Case } from '../../src/escalation/case.js';
import { CONTACT, REPORTER, type SlackStack, STRANGER, startSlackStack } from './harness.js';
import { SlackUser } from './people.js';
import { type ApiCall, blockTexts, textOf } from './stub.js';

let s: SlackStack;
beforeEach(async () => {
  s = await startSlackStack();
});
afterEach(async () => {
  await s?.close();
});

const ID = 'SC-2026-0001';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Files the four-step report form by DM; resolves with the reporter's receipt. */
async function fileReport(u: SlackUser, whatHappened: string): Promise<ApiCall> {
  await u.say('report', /Step 1 of 4/);
  await u.say(whatHappened, /Step 2 of 4/);
  await u.say('At the dinner last Tuesday', /Step 3 of 4/);
  const step = await u.say('A member of the visiting delegation', /Step 4 of 4/);
  return u.press(step, 'checklist:answer', 'info-asked=yes', /case SC-2026-\d{4}/);
}

/** The contact's case messages (chat.postMessage to the contact's user id). */
const cards = (after = 0) => s.stub.posts(CONTACT, after);

async function activeCases(): Promise<Case[]> {
  const file = join(s.dataDir, 'data', 'cases', 'active.json');
  return JSON.parse(await readFile(file, 'utf8')).cases;
}

describe('a case, worked by the contact in Slack', () => {
  it('ack, ask by modal, reporter replies, resolve; a stranger is refused', async () => {
    const aroha = new SlackUser(s, REPORTER);
    const sam = new SlackUser(s, CONTACT);
    const mallory = new SlackUser(s, STRANGER);
    const receipt = await fileReport(aroha, 'A delegation member asked for the port plans.');
    expect(textOf(receipt)).toContain(`has been notified (case ${ID})`);
    const [card] = await s.stub.waitFor('chat.postMessage', (c) => c.body.channel === CONTACT);

    // A stranger replaying the button (from their own DM) is refused, and nothing reaches Aroha.
    let mark = s.stub.mark();
    const refusal = await mallory.press(card!, 'case:ack', ID, /not authorised/);
    expect(refusal.body.channel).toBe(mallory.dm);
    await sleep(100);
    expect(aroha.posts(mark)).toEqual([]);

    mark = s.stub.mark();
    await sam.press(card!, 'case:ack', ID, /acknowledged\. The reporter has been told/);
    await aroha.expectPost(new RegExp(`picked up case ${ID}`), mark);
    // The original card is updated in place, so it no longer offers Acknowledge.
    const [update] = await s.stub.waitFor('chat.update', () => true, { after: mark });
    expect(update!.body).toMatchObject({ channel: sam.dm, ts: card!.response?.ts });
    expect(textOf(update)).not.toContain('Acknowledge');

    // "Ask for information" opens a modal; its text is sent to the reporter.
    mark = s.stub.mark();
    const press = await sam.pressRaw(card!, 'case:info', ID);
    expect(press.status).toBe(200);
    const [open] = await s.stub.waitFor('views.open', () => true, { after: mark });
    const view = open!.body.view;
    expect(view).toMatchObject({ type: 'modal', callback_id: 'case-info' });
    expect(open!.body.trigger_id).toMatch(/^trig\./);
    const submit = await s.slack.interaction({
      type: 'view_submission',
      team: { id: 'T1' },
      user: { id: CONTACT, team_id: 'T1' },
      api_app_id: 'A0APP',
      trigger_id: 'trig.submit',
      view: {
        ...view,
        id: 'V0MODAL1',
        state: {
          values: {
            question: { text: { type: 'plain_text_input', value: 'Who else was there?' } },
          },
        },
      },
    });
    expect(submit.status).toBe(200);
    const question = await aroha.expectPost(/has a question about case/, mark);
    expect(textOf(question)).toContain('Who else was there?');
    await sam.expectPost(/Your question has been sent to the reporter/, mark);

    // The reporter answers with Reply, then a DM.
    mark = s.stub.mark();
    await aroha.press(question, 'case:reply', ID, /Type your reply/);
    await aroha.say('Two councillors and the mayor.', /Your reply has been added/);
    const relayed = await sam.expectPost(/The reporter replied/, mark);
    expect(textOf(relayed)).toContain('Two councillors and the mayor.');

    // The contact resolves with a note typed in their DM.
    mark = s.stub.mark();
    await sam.press(card!, 'case:resolve', ID, /Add a short outcome note/);
    await sam.say('Briefed the councillors; no further action.', /resolved\. The reporter/);
    const outcome = await aroha.expectPost(/has resolved case/, mark);
    expect(textOf(outcome)).toContain('Outcome: Briefed the councillors; no further action.');
    expect(await activeCases()).toEqual([]);
  });

  // BUG (adapters/slack/listeners.ts, app.view('case-info')): the modal's first bot.handle
  // (the case:info action) is where a stranger is refused, but its replies are thrown away;
  // the modal text is then handled as an ordinary question and answered. The refusal should
  // be posted and the text not treated as a question (check the first replies, or only open
  // the modal for a contact).
  it('a stranger who submits the case-info modal is told they are not authorised', async () => {
    const aroha = new SlackUser(s, REPORTER);
    await fileReport(aroha, 'A delegation member asked for the port plans.');
    const mark = s.stub.mark();
    await s.slack.interaction({
      type: 'view_submission',
      team: { id: 'T1' },
      user: { id: STRANGER, team_id: 'T1' },
      view: {
        type: 'modal',
        callback_id: 'case-info',
        private_metadata: JSON.stringify({ caseId: ID, channel: 'DOTHER001' }),
        state: {
          values: { question: { text: { value: 'what counts as foreign interference?' } } },
        },
      },
    });
    const [reply] = await s.stub.waitFor(
      'chat.postMessage',
      (c) => c.body.channel === 'DOTHER001',
      {
        after: mark,
      },
    );
    expect(textOf(reply)).toMatch(/not authorised/);
  });
});

describe('escaping', () => {
  it("reporter text can't mention @channel, users or make links in the contact's message", async () => {
    const aroha = new SlackUser(s, REPORTER);
    const hostile =
      '<!channel> <@U12345> <https://evil.example|click me> & [x](https://evil.example)';
    await fileReport(aroha, hostile);
    const [card] = await s.stub.waitFor('chat.postMessage', (c) => c.body.channel === CONTACT);
    const texts = [...blockTexts(card!), card!.body.text as string];
    for (const t of texts) {
      expect(t).not.toContain('<!channel>');
      expect(t).not.toContain('<@U12345>');
      expect(t).not.toContain('<https://evil.example');
      expect(t).not.toMatch(/<https?:\/\/evil/);
    }
    const all = blockTexts(card!).join('\n');
    expect(all).toContain('&lt;!channel&gt; &lt;@U12345&gt; &lt;https://evil.example|click me&gt;');
    expect(all).toContain('&amp; [x](https://evil.example)');
    // The reporter's own summary is escaped the same way.
    const mine = aroha
      .posts()
      .map((c) => blockTexts(c).join('\n'))
      .join('\n');
    expect(mine).not.toContain('<!channel>');
    expect(mine).toContain('&lt;!channel&gt;');
  });
});

describe('Slack API failures', () => {
  it('a case whose first posts fail is saved, retried by the scheduler and delivered once', async () => {
    s.stub.fail('chat.postMessage', { times: 1, match: (b) => b.channel === CONTACT });
    s.stub.fail('chat.postMessage', {
      times: 1,
      match: (b) => b.channel === CONTACT,
      mode: 'http500',
    });
    const aroha = new SlackUser(s, REPORTER);
    const receipt = await fileReport(aroha, 'A delegation member asked for the port plans.');
    expect(textOf(receipt)).toContain(`Your case ${ID} is saved, but I couldn't reach`);
    let [c] = await activeCases();
    expect(c?.notifications).toMatchObject([
      { to: 'primary', status: 'pending', attempts: 1, lastError: 'internal_error' },
    ]);

    // Not due yet: a tick sends nothing.
    await s.advisor.scheduler.tick();
    expect(s.stub.callsTo('chat.postMessage', (x) => x.body.channel === CONTACT)).toHaveLength(1);

    s.clock.advance(31_000);
    await s.advisor.scheduler.tick(); // second attempt: HTTP 500
    [c] = await activeCases();
    expect(c?.notifications[0]).toMatchObject({ status: 'pending', attempts: 2 });
    expect(cards()).toEqual([]);

    s.clock.advance(61_000);
    await s.advisor.scheduler.tick(); // third attempt: delivered
    s.clock.advance(5 * 60_000);
    await s.advisor.scheduler.tick(); // nothing left to send
    const delivered = cards();
    expect(delivered).toHaveLength(1);
    expect(textOf(delivered[0])).toContain(`New case ${ID}`);
    [c] = await activeCases();
    expect(c?.notifications[0]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(c?.notifications[0]?.messageId).toBe(`DCONTACT1:${delivered[0]!.response?.ts}`);
    expect(s.stub.callsTo('chat.postMessage', (x) => x.body.channel === CONTACT)).toHaveLength(3);
  });
});

describe('App Home after a report', () => {
  // BUG (adapters/slack/listeners.ts, app.event('app_home_opened')): the user is built with
  // userRef(client, event.user) and no workspace, so their key is slack:-:U…, while DMs,
  // commands and buttons use slack:T1:U…. The home tab never shows the user's own cases or
  // checklists. Fix: pass the envelope's team id, userRef(client, event.user, body.team_id)
  // (and fall back to body.team_id in the message listener when event.team is absent).
  it("the home tab lists the reporter's own case", async () => {
    const aroha = new SlackUser(s, REPORTER);
    await fileReport(aroha, 'A delegation member asked for the port plans.');
    const mark = s.stub.mark();
    await s.slack.event({
      type: 'app_home_opened',
      user: REPORTER,
      tab: 'home',
      channel: aroha.dm,
    });
    const [home] = await s.stub.waitFor('views.publish', () => true, { after: mark });
    expect(textOf(home)).toContain(ID);
  });
});

describe('a contact configured as a Slack channel', () => {
  // Contacts must be members, so their own presses can be authorised; channel posting is
  // SLACK_NOTIFY_CHANNEL's job. A channel id is refused at start-up with that advice.
  it('is refused at start-up, pointing to SLACK_NOTIFY_CHANNEL', async () => {
    await s.close();
    await expect(
      startSlackStack({ contactsYaml: 'primary:\n  name: Security team\n  slack: CSECURITY\n' }),
    ).rejects.toThrow(
      /field "primary\.slack": must be a Slack member id \(U\.\.\.\); for a channel, set SLACK_NOTIFY_CHANNEL instead/,
    );
    s = await startSlackStack();
  });
});
