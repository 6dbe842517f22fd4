import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { chat, type FakeOpenAI, startFakeOpenAI } from './fake-openai.js';

let llm: FakeOpenAI;
let s: TestServer;
const ask = async (text: string) =>
  (await s.post('/api/chat', { userId: 'u1', text })).body.replies[0];

beforeAll(async () => {
  llm = await startFakeOpenAI();
  s = await startTestServer({
    env: {
      LLM_BASE_URL: llm.baseUrl,
      LLM_API_KEY: 'sk-test',
      LLM_TIMEOUT_MS: '2000',
      LLM_RATE_LIMIT_PER_MINUTE: '100',
    },
  });
});
afterAll(async () => {
  await s.close();
  await llm.close();
});

describe('the bot with LLM answers on', () => {
  it('shows a grounded, cited answer labelled AI-assisted', async () => {
    llm.script(
      chat(
        'Foreign interference is covert, deceptive or coercive activity by a foreign state [1].',
      ),
    );
    const reply = await ask('What counts as foreign interference?');
    expect(reply.kind).toBe('answer');
    expect(reply.text).toMatch(/AI-assisted/i);
    expect(reply.text).toContain('by a foreign state [1]');
    expect(reply.sources.map((x: any) => x.url)).toContain('https://example.org/fi-definition');
    expect(reply.actions.map((a: any) => a.label)).toContain('Helpful');
    const sent = llm.requests.at(-1)?.body;
    expect(JSON.stringify(sent.messages)).toContain('<question>');
  });

  it('falls back to the extractive answer when the model makes up a source', async () => {
    llm.script(chat('Call 0800 999 999 or see https://evil.example [1] [9].'));
    const reply = await ask('What counts as foreign interference?');
    expect(reply.text).not.toMatch(/AI-assisted/i);
    expect(reply.text).toContain('Foreign interference is covert, deceptive or coercive activity');
    expect(reply.text).not.toContain('evil.example');
  });

  it('falls back when the model server fails', async () => {
    llm.script({ status: 500, body: {} }, { status: 500, body: {} }, { status: 500, body: {} });
    const reply = await ask('can I take my laptop overseas');
    expect(reply.entryId).toBe('travel-devices');
    expect(reply.text).not.toMatch(/AI-assisted/i);
  });

  it('makes no call for a refusal or a declined question', async () => {
    const before = llm.requests.length;
    expect((await ask('who won the rugby in Invercargill?')).kind).toBe('no-guidance');
    expect((await ask('is councillor Smith a spy')).kind).toBe('declined');
    expect(llm.requests.length).toBe(before);
  });
});
