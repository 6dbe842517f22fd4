/**
 * The pre-trip checklist over Slack: /pretrip, buttons, typed answers, checkboxes with a Done
 * button, and a risky set of answers that raises a case for the security contact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, REPORTER, type SlackStack, startSlackStack } from './harness.js';
import { findElement, SlackUser } from './people.js';
import { type ApiCall, textOf } from './stub.js';

let s: SlackStack;
beforeAll(async () => {
  s = await startSlackStack();
});
afterAll(async () => {
  await s?.close();
});

const STEP = /Step \d+ of \d+/;
const stepOf = (call: ApiCall) => Number(/Step (\d+) of/.exec(textOf(call))?.[1]);

describe('/pretrip over Slack', () => {
  it('runs the checklist with buttons, text and checkboxes; a risky trip reaches the contact', async () => {
    const aroha = new SlackUser(s, REPORTER);
    const mark = s.stub.mark();
    const ack = await s.slack.command('/pretrip', REPORTER);
    expect(ack.status).toBe(200);
    expect(JSON.parse(ack.text)).toMatchObject({ response_type: 'ephemeral' });
    let step = await aroha.expectPost(/Step 1 of/, mark);
    expect(step.body.channel).toBe(REPORTER); // posting to the user id opens the DM
    // Two options are buttons, with position-suffixed action ids.
    const outbound = findElement(step, (el) => el.value === 'visit-type=outbound');
    expect(outbound?.el.action_id).toMatch(/^checklist:answer#\d+$/);

    step = await aroha.press(step, 'checklist:answer', 'visit-type=outbound', /Step 2 of/);
    step = await aroha.say('Sister-city anniversary with Suqian', /Step 3 of/);
    step = await aroha.say('5/3/2027', /Step 4 of/);
    step = await aroha.say('7/3/2027', /Step 5 of/);
    step = await aroha.say('Suqian, China', /Step 6 of/);
    expect(textOf(step)).toContain('Who is paying');
    step = await aroha.press(step, 'checklist:answer', 'who-pays=host', /Step 7 of/);
    step = await aroha.press(step, 'checklist:answer', 'gifts=none', /Step 8 of/);

    // Devices: checkboxes (a change alone does nothing) and a Done button carrying the state.
    const boxes = findElement(step, (el) => el.type === 'checkboxes');
    expect(boxes?.el.action_id).toMatch(/^checklist:answer!boxes#\d+$/);
    const quiet = s.stub.mark();
    const change = await s.slack.interaction({
      type: 'block_actions',
      user: { id: REPORTER, team_id: 'T1' },
      team: { id: 'T1' },
      channel: { id: aroha.dm },
      trigger_id: 'trig.x',
      actions: [
        {
          type: 'checkboxes',
          action_id: boxes!.el.action_id,
          block_id: boxes!.blockId,
          selected_options: [boxes!.el.options[0]],
          action_ts: '1.1',
        },
      ],
    });
    expect(change.status).toBe(200);
    step = await aroha.tick(step, ['devices=council-laptop', 'devices=loan-device'], /Step 9 of/);
    expect(s.stub.posts(undefined, quiet)).toHaveLength(1); // only the reply to Done

    step = await aroha.press(step, 'checklist:answer', 'safetravel=yes', /Step 10 of/);
    step = await aroha.press(step, 'checklist:answer', 'advisory-level=level-4', /Step 11 of/);
    step = await aroha.say('yes', /Step 12 of/); // MFAT, typed
    step = await aroha.press(step, 'checklist:answer', 'briefing=yes', /Step 13 of/);
    step = await aroha.press(step, 'checklist:answer', 'officials=no', /Step 14 of/);
    step = await aroha.press(step, 'checklist:answer', 'info-requests=yes', /Step 15 of/);
    step = await aroha.say('no', /Step 16 of/);
    step = await aroha.say('no', /Step 17 of/);
    step = await aroha.say('Jane Smith 021 555 0123', /Step 18 of/);
    expect(stepOf(step)).toBe(18);
    // The last step is optional: its Skip button finishes the run.
    const summary = await aroha.press(step, 'checklist:skip', undefined, /has been notified/);
    const text = textOf(summary);
    expect(text).toMatch(/has been notified \(case SC-2026-0001\)/);
    expect(text).not.toMatch(STEP);

    const all = aroha.posts(mark).map(textOf).join('\n');
    expect(all).toContain('Pre-trip security checklist complete');
    expect(all).toContain('My usual council laptop');
    expect(all).toContain('A loan or travel device');
    expect(all).toContain('High SafeTravel advisory level');

    const [card] = await s.stub.waitFor('chat.postMessage', (c) => c.body.channel === CONTACT);
    const cardText = textOf(card);
    expect(cardText).toContain('New case SC-2026-0001');
    expect(cardText).toContain('HIGH: High SafeTravel advisory level');
    expect(cardText).toContain('Aroha Ngata (slack)');
    const labels = (card!.body.blocks as any[])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements)
      .map((e) => [e.action_id.split('#')[0], e.text.text, e.value]);
    expect(labels).toEqual(
      expect.arrayContaining([
        ['case:ack', 'Acknowledge', 'SC-2026-0001'],
        ['case:info', 'Ask for information', 'SC-2026-0001'],
        ['case:resolve', 'Resolve', 'SC-2026-0001'],
      ]),
    );
    const trip = await s.advisor.store.getTrip('TR-2026-0001');
    expect(trip?.escalationId).toBe('SC-2026-0001');
    expect(trip?.user).toMatchObject({ platform: 'slack', id: REPORTER, workspace: 'T1' });
  });

  it('an empty Done (no boxes ticked) asks for a tick and changes nothing', async () => {
    const u = new SlackUser(s, 'UEMPTY001');
    const mark = s.stub.mark();
    await s.slack.command('/pretrip', u.id);
    let step = await u.expectPost(/Step 1 of/, mark);
    step = await u.press(step, 'checklist:answer', 'visit-type=outbound', /Step 2 of/);
    step = await u.say('Anniversary visit to Kumagaya', /Step 3 of/);
    step = await u.say('5/3/2027', /Step 4 of/);
    step = await u.say('7/3/2027', /Step 5 of/);
    step = await u.say('Kumagaya, Japan', /Step 6 of/);
    step = await u.press(step, 'checklist:answer', 'who-pays=council', /Step 7 of/);
    step = await u.press(step, 'checklist:answer', 'gifts=none', /Step 8 of/);
    const before = s.stub.mark();
    const res = await s.slack.interaction({
      type: 'block_actions',
      user: { id: u.id, team_id: 'T1' },
      team: { id: 'T1' },
      channel: { id: u.dm },
      trigger_id: 'trig.y',
      state: { values: {} },
      actions: [
        {
          type: 'button',
          action_id: findElement(step, (el) => el.value === 'multi-done')!.el.action_id,
          value: 'multi-done',
          action_ts: '2.2',
        },
      ],
    });
    expect(res.status).toBe(200);
    await u.expectPost(/Tick at least one box, then press Done/, before);
    // Still at step 8: a typed answer is taken for it.
    await u.say('A loan or travel device', /Step 9 of/);
  });
});
