import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cardsOf, cardText } from './connector.js';
import { activities, startTeams, type TeamsHarness } from './harness.js';
import { allCardProblems } from './validate.js';

let h: TeamsHarness;
let a: ReturnType<typeof activities>;
const user = { id: '29:user-aroha', name: 'Aroha' };
const conv = encodeURIComponent(`a:personal-${user.id}`);

beforeAll(async () => {
  h = await startTeams();
  a = activities(h.stub.url);
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {
  // Every card the bot produced, sent or updated, must be a valid Adaptive Card 1.5.
  expect(allCardProblems(h.stub.calls.map((c) => c.body))).toEqual([]);
});

/** Sends an activity; returns what the bot sent to the connector during the turn. */
async function turn(activity: any) {
  const from = h.stub.calls.length;
  const res = await h.post(activity);
  expect(res.status).toBe(200);
  return h.stub.since(from);
}

describe('questions in a personal chat', () => {
  it('answers with a card: the answer, source link, reviewed date and buttons', async () => {
    const q = a.text(user, 'What counts as foreign interference?');
    const calls = await turn(q);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      method: 'POST',
      path: `/v3/conversations/${conv}/activities/${q.id}`,
    });
    const [card] = cardsOf(calls[0]!.body);
    const text = cardText(card);
    expect(text).toContain('Foreign interference is covert');
    expect(text).toContain('[Fixture source for fi-definition](https://example.org/fi-definition)');
    expect(text).toContain('Last reviewed: 10 January 2026');
    const actions = card.body
      .filter((e: any) => e.type === 'ActionSet')
      .flatMap((e: any) => e.actions);
    expect(actions.map((x: any) => [x.title, x.data])).toEqual([
      ['Helpful', { actionId: 'feedback', value: 'up:fi-definition' }],
      ['Not helpful', { actionId: 'feedback', value: 'down:fi-definition' }],
      ['Ask the security contact', { actionId: 'case:ask', value: 'fi-definition' }],
    ]);
  });

  it('maps a button press back to the core and updates the pressed row in place', async () => {
    const [answer] = await turn(a.text(user, 'What counts as foreign interference?'));
    const press = a.submit(user, answer!.id!, { actionId: 'feedback', value: 'up:fi-definition' });
    const calls = await turn(press);
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.path).toBe(`/v3/conversations/${conv}/activities/${answer!.id}`);
    const updated = cardsOf(put!.body)[0];
    // The feedback row is replaced; the answer and "Ask the security contact" stay.
    expect(cardText(updated)).toContain('Answered: Helpful');
    expect(cardText(updated)).toContain('Foreign interference is covert');
    expect(cardText(updated)).toContain('Ask the security contact');
    expect(cardText(updated)).not.toContain('Not helpful');
    const reply = calls.find((c) => c.method === 'POST');
    expect(cardText(cardsOf(reply!.body)[0])).toContain('Thanks for the feedback.');
    expect(await h.advisor.store.listFeedback()).toContainEqual(
      expect.objectContaining({
        user: `teams:tenant-0001:${user.id}`,
        entryId: 'fi-definition',
        helpful: true,
      }),
    );
  });

  it('answers the typed commands (help) and refuses honestly off-topic', async () => {
    const [help] = await turn(a.text(user, 'help'));
    expect(cardText(cardsOf(help!.body)[0])).toMatch(/I answer questions about sister-city/);
    const [off] = await turn(a.text(user, 'who won the rugby in Invercargill?'));
    expect(cardText(cardsOf(off!.body)[0])).toMatch(/don't have guidance on that/);
  });
});

describe('channels', () => {
  const channel = '19:general-channel@thread.tacv2';

  it('answers an @mention in the thread, with the mention text stripped', async () => {
    const post = a.mention(user, channel, 'What counts as foreign interference?');
    const calls = await turn(post);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe(
      `/v3/conversations/${encodeURIComponent(post.conversation.id)}/activities/${post.id}`,
    );
    expect(cardText(cardsOf(calls[0]!.body)[0])).toContain('Foreign interference is covert');
  });

  it('keeps checklists, reports and cases out of channels', async () => {
    for (const command of ['pretrip', 'report', 'cases']) {
      const calls = await turn(a.mention(user, channel, command));
      expect(cardText(cardsOf(calls[0]!.body)[0])).toMatch(/only in a private chat/);
    }
    expect(await h.advisor.store.getConversation(`teams:tenant-0001:${user.id}`)).toBeUndefined();
  });
});

describe('request validation', () => {
  it('rejects a missing type, a non-object and bad JSON with 400 and a JSON error', async () => {
    const noType = await h.post({ id: '1', text: 'hi' });
    expect(noType.status).toBe(400);
    expect(noType.body.error).toMatchObject({ code: 'bad_activity' });
    expect(noType.body.error.message).toMatch(/"type"/);
    const noFrom = await h.post({ ...a.text(user, 'hi'), from: undefined });
    expect(noFrom.status).toBe(400);
    expect(noFrom.body.error.message).toMatch(/"from" is required/);
    expect((await h.post('[1,2]')).status).toBe(400);
    expect(await h.post('{"type":')).toEqual({
      status: 400,
      body: { error: { code: 'bad_json', message: 'The request body is not valid JSON.' } },
    });
  });

  it('rejects a body over the limit with 413, also when streamed without a length', async () => {
    const big = await h.post(a.text(user, 'x'.repeat(300 * 1024)));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('too_large');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        h.url,
        { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 300; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('answers other methods with 405', async () => {
    const res = await fetch(h.url);
    expect(res.status).toBe(405);
    expect((await res.json()).error.code).toBe('method_not_allowed');
  });
});
