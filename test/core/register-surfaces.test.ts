/**
 * A register answer on every surface: Slack, Teams and the web chat all render the same reply
 * blocks, so each must show the sources block and feedback buttons that carry the register id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReplies } from '../../adapters/slack/blocks.js';
import { renderReply } from '../../adapters/teams/cards.js';
import { answerText } from '../../src/answer.js';
import type { Reply } from '../../src/model.js';
import { Retriever } from '../../src/retrieval/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cardText } from '../teams/connector.js';
import { cardProblems } from '../teams/validate.js';

let s: TestServer;
let reply: Reply;
beforeAll(async () => {
  s = await startTestServer();
  const { knowledge } = s.advisor;
  reply = answerText(
    knowledge,
    new Retriever(knowledge),
    'does Hamilton check trips with MFAT?',
    '2026-11-27',
  ).reply;
});
afterAll(async () => {
  await s.close();
});

describe('a register answer on every surface', () => {
  it('Slack shows the sources and feedback buttons with the register id', () => {
    const blocks = renderReplies([reply]).flatMap((m) => m.blocks);
    const text = blocks.map((b) => (b.type === 'section' ? (b.text?.text ?? '') : '')).join('\n');
    expect(text).toContain('*Sources*');
    expect(text).toContain('<https://example.org/hamilton-advice|Fixture advice source>');
    const values = blocks.flatMap((b) =>
      b.type === 'actions' ? b.elements.map((e) => ('value' in e ? e.value : undefined)) : [],
    );
    expect(values).toEqual(
      expect.arrayContaining(['up:register:hamilton', 'down:register:hamilton']),
    );
  });

  it('Teams shows the sources and feedback buttons with the register id, in a valid card', () => {
    const cards = renderReply(reply);
    for (const card of cards) expect(cardProblems(card)).toEqual([]);
    const text = cards.map(cardText).join('\n');
    expect(text).toContain('Sources');
    expect(text).toContain('[Fixture advice source](https://example.org/hamilton-advice)');
    expect(JSON.stringify(cards)).toContain('"value":"up:register:hamilton"');
  });

  it('the web chat returns the sources, the id, and records feedback on it', async () => {
    const { body } = await s.post('/api/chat', {
      userId: 'u-reg',
      text: 'does Hamilton check trips with MFAT?',
    });
    const [web] = body.replies;
    expect(web).toMatchObject({ kind: 'answer', answered: true, entryId: 'register:hamilton' });
    expect(web.sources.map((x: any) => x.url)).toContain('https://example.org/hamilton-advice');
    expect(web.actions.map((a: any) => a.value)).toEqual(
      expect.arrayContaining(['up:register:hamilton', 'down:register:hamilton']),
    );
    for (const value of ['up:register:hamilton', 'down:register:not-listed:kaikoura']) {
      const res = await s.post('/api/chat', {
        userId: 'u-reg',
        action: { id: 'feedback', value },
      });
      expect(res.body.replies[0].kind).toBe('feedback');
    }
    expect(await s.advisor.store.listFeedback()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entryId: 'register:hamilton', helpful: true }),
        expect.objectContaining({ entryId: 'register:not-listed:kaikoura', helpful: false }),
      ]),
    );
  });
});
