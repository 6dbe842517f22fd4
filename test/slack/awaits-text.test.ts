/**
 * The Slack adapter opens the "Ask for information" modal because the core's reply says it
 * awaits text (`awaitsText`), not because of which buttons the reply happens to carry. A
 * scripted core stands in for the bot; Slack is real Bolt against the loopback Web API stub.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/index.js';
import { WebInbox } from '../../adapters/web/inbox.js';
import { WebServer } from '../../adapters/web/server.js';
import type { Bot } from '../../src/bot.js';
import { silentLogger } from '../../src/logger.js';
import type { Incoming, Reply } from '../../src/model.js';
import { CONTACT, SIGNING_SECRET, SlackSender } from './harness.js';
import { blockActionsPayload } from './people.js';
import { SlackApiStub, textOf } from './stub.js';

let stub: SlackApiStub;
let adapter: SlackAdapter;
let web: WebServer;
let slack: SlackSender;
/** What the scripted core answers, in turn, and what it was sent. */
let script: Reply[][] = [];
const seen: Incoming[] = [];

beforeEach(async () => {
  stub = await SlackApiStub.start();
  seen.length = 0;
  const bot: Bot = {
    handle: async (incoming) => {
      seen.push(incoming);
      return script.shift() ?? [];
    },
    home: async () => [],
  };
  const logger = silentLogger();
  adapter = createSlackAdapter({
    bot,
    logger,
    settings: {
      botToken: 'xoxb-test',
      signingSecret: SIGNING_SECRET,
      apiUrl: stub.apiUrl,
      botId: 'B0BOT',
      botUserId: 'U0BOT',
    },
  });
  web = new WebServer({ bot, inbox: new WebInbox(), logger, health: () => ({}) });
  const { handle } = adapter;
  if (handle)
    web.mount({ method: 'POST', path: '/slack/events', handler: (req, res) => handle(req, res) });
  const url = await web.listen(0, '127.0.0.1');
  slack = new SlackSender(new URL('/slack/events', url), SIGNING_SECRET);
});
afterEach(async () => {
  await adapter.stop();
  await web.close();
  await stub.close();
});

const prompt = (awaitsText: boolean): Reply => ({
  kind: 'notice',
  ...(awaitsText ? { awaitsText } : {}),
  blocks: [
    { type: 'paragraph', text: 'What would you like to ask the reporter?' },
    { type: 'buttons', buttons: [{ id: 'case:cancel', label: 'Cancel' }] },
  ],
});

/** The contact presses "Ask for information" on case SC-2026-0001. */
function pressAskForInformation() {
  return slack.interaction(
    blockActionsPayload(CONTACT, undefined, {
      type: 'button',
      action_id: 'case:info#0',
      block_id: 'b0',
      text: { type: 'plain_text', text: 'Ask for information' },
      value: 'SC-2026-0001',
    }),
  );
}

describe('awaitsText in Slack', () => {
  it('opens the modal when the reply awaits text, and sends the modal text to the core', async () => {
    const asks: Reply[] = [
      {
        kind: 'notice',
        awaitsText: true,
        blocks: [{ type: 'paragraph', text: 'Type your question.' }],
      },
    ];
    const sent: Reply[] = [
      { kind: 'notice', blocks: [{ type: 'notice', tone: 'success', text: 'Sent.' }] },
    ];
    // The press, then the submitted modal: asked again, and the modal's text.
    script = [asks, asks, sent];
    const mark = stub.mark();
    expect((await pressAskForInformation()).status).toBe(200);
    const [open] = await stub.waitFor('views.open', () => true, { after: mark });
    expect(open?.body.view).toMatchObject({ type: 'modal', callback_id: 'case-info' });
    // The prompt itself is not posted: the modal asks instead.
    expect(stub.posts(undefined, mark)).toEqual([]);

    await slack.interaction({
      type: 'view_submission',
      team: { id: 'T1' },
      user: { id: CONTACT, team_id: 'T1' },
      api_app_id: 'A0APP',
      trigger_id: 'trig.submit',
      view: {
        ...open?.body.view,
        id: 'V0MODAL1',
        state: { values: { question: { text: { value: 'Who else was there?' } } } },
      },
    });
    const [posted] = await stub.waitFor('chat.postMessage', () => true, { after: mark });
    expect(textOf(posted)).toContain('Sent.');
    expect(seen.map((i) => i.action?.id ?? i.text)).toEqual([
      'case:info',
      'case:info',
      'Who else was there?',
    ]);
  });

  it('posts the reply, with no modal, when it does not await text, whatever its buttons', async () => {
    script = [[prompt(false)]];
    const mark = stub.mark();
    await pressAskForInformation();
    const [posted] = await stub.waitFor('chat.postMessage', () => true, { after: mark });
    expect(textOf(posted)).toContain('What would you like to ask the reporter?');
    expect(stub.callsTo('views.open', () => true, mark)).toEqual([]);
  });

  it('a submitted modal whose first reply does not await text is answered with that reply', async () => {
    script = [
      [{ kind: 'notice', blocks: [{ type: 'notice', tone: 'warning', text: 'Not authorised.' }] }],
    ];
    const mark = stub.mark();
    await slack.interaction({
      type: 'view_submission',
      team: { id: 'T1' },
      user: { id: CONTACT, team_id: 'T1' },
      view: {
        type: 'modal',
        callback_id: 'case-info',
        private_metadata: JSON.stringify({ caseId: 'SC-2026-0001', channel: 'DCONTACT1' }),
        state: { values: { question: { text: { value: 'Who else?' } } } },
      },
    });
    const [posted] = await stub.waitFor('chat.postMessage', () => true, { after: mark });
    expect(textOf(posted)).toContain('Not authorised.');
    // The modal's text never reached the core as a message.
    expect(seen.map((i) => i.text).filter(Boolean)).toEqual([]);
  });
});
