import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Activity, TestAdapter } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SentCards } from '../../adapters/teams/collapse.js';
import { createTeamsAdapter } from '../../adapters/teams/index.js';
import { ReferenceStore } from '../../adapters/teams/references.js';
import { createTurnLogic } from '../../adapters/teams/turn.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { escapeMarkdown } from '../../src/markdown.js';
import type { Incoming, Reply } from '../../src/model.js';
import { cardsOf, cardText } from './connector.js';
import { cardProblems } from './validate.js';

let dir: string;
let refs: ReferenceStore;
let seen: Incoming[];

/** A stand-in bot that echoes what it was given, escaped as the core escapes user text. */
const echo = {
  async handle(incoming: Incoming): Promise<Reply[]> {
    seen.push(incoming);
    const said = incoming.action ? `${incoming.action.id}=${incoming.action.value}` : incoming.text;
    return [
      {
        kind: 'notice',
        blocks: [
          { type: 'paragraph', text: `You said: ${escapeMarkdown(said ?? '')}` },
          { type: 'buttons', buttons: [{ id: 'feedback', label: 'Helpful', value: 'up:x' }] },
        ],
      },
    ];
  },
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sca-teams-unit-'));
  refs = await ReferenceStore.open(dir, silentLogger());
  seen = [];
});
afterEach(async () => {
  await refs.flush();
  await rm(dir, { recursive: true, force: true });
});

function adapter() {
  const logic = createTurnLogic({
    bot: echo,
    refs,
    cards: new SentCards(),
    logger: silentLogger(),
  });
  return new TestAdapter(logic);
}

const card = (a: Partial<Activity>) => cardsOf(a)[0];

describe('turn logic with TestAdapter', () => {
  it('replies to text with a valid card and the user as the core knows them', async () => {
    await adapter()
      .send('What is [this](https://evil.example)?')
      .assertReply((a) => {
        expect(cardProblems(card(a))).toEqual([]);
        const text = cardText(card(a));
        expect(text).toContain('You said: What is');
        expect(text).not.toContain('[this](https://evil.example)');
      });
    expect(seen[0]).toMatchObject({
      user: { platform: 'teams', id: 'user1', name: 'User1' },
      conversation: { id: 'Convo1', kind: 'direct' },
      text: 'What is [this](https://evil.example)?',
    });
    // Every message refreshes the stored reference, so the user can be reached later.
    expect(refs.forUser('user1')?.conversation?.id).toBe('Convo1');
  });

  it('maps Action.Submit data {actionId, value} back to the core action {id, value}', async () => {
    await adapter()
      .send({
        type: 'message',
        value: { actionId: 'feedback', value: 'down:travel-devices' },
      } as any)
      .assertReply((a) => expect(cardText(card(a))).toContain('feedback=down:travel-devices'));
    expect(seen[0]?.action).toEqual({ id: 'feedback', value: 'down:travel-devices' });
  });

  it('strips the bot mention and greets on install', async () => {
    const t = adapter();
    await t
      .send({
        type: 'message',
        text: '<at>Bot</at> kia ora',
        entities: [
          { type: 'mention', mentioned: { id: 'bot', name: 'Bot' }, text: '<at>Bot</at>' },
        ],
      } as any)
      .assertReply(() => undefined);
    expect(seen[0]?.text).toBe('kia ora');
    await t
      .send({ type: 'conversationUpdate', membersAdded: [{ id: 'bot' }] } as any)
      .assertReply((a) => expect(cardText(card(a))).toMatch(/Kia ora! I'm Sister City Advisor/));
  });
});

describe('start-up', () => {
  it('warns loudly when it runs without authentication, and only then', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', sink);
    await createTeamsAdapter({ bot: echo, logger, dataDir: dir, settings: {} });
    const warning = lines
      .map((l) => JSON.parse(l))
      .find((l) => /WITHOUT AUTHENTICATION/.test(l.msg));
    expect(warning).toMatchObject({ level: 40, adapter: 'teams' });
    lines.length = 0;
    const settings = { appId: '11111111-2222-3333-4444-555555555555', appPassword: 'secret' };
    await createTeamsAdapter({ bot: echo, logger, dataDir: dir, settings });
    expect(lines.join('')).not.toMatch(/WITHOUT AUTHENTICATION/);
  });
});
