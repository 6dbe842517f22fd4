import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const user = { platform: 'web' as const, id: 'aroha' };
const dm = { id: 'dm', kind: 'direct' as const };
const channel = { id: 'general', kind: 'channel' as const };

describe('private flows stay out of channels', () => {
  it('refuses checklists, reports and cases in a channel, for any surface', async () => {
    for (const text of ['pretrip', 'report', 'cases', 'my trips']) {
      const [reply] = await s.advisor.bot.handle({ user, conversation: channel, text });
      expect(reply?.blocks[0]).toMatchObject({
        type: 'notice',
        text: expect.stringMatching(/only in a private chat/),
      });
    }
    const [pressed] = await s.advisor.bot.handle({
      user,
      conversation: channel,
      action: { id: 'checklist:start', value: 'pretrip' },
    });
    expect(pressed?.blocks[0]).toMatchObject({
      text: expect.stringMatching(/only in a private chat/),
    });
  });

  it('does not take a channel message as the answer to a checklist step started in private', async () => {
    const [step] = await s.advisor.bot.handle({ user, conversation: dm, text: 'pretrip' });
    expect(JSON.stringify(step)).toContain('Step 1 of');
    // "Overseas trip" typed in a channel is a question there, not the answer to step 1.
    await s.advisor.bot.handle({ user, conversation: channel, text: 'Overseas trip' });
    const [again] = await s.advisor.bot.handle({ user, conversation: dm, text: 'continue' });
    expect(JSON.stringify(again)).toContain('Step 1 of');
  });
});
