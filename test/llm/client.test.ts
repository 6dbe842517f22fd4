import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { chatCompletionsUrl, defaultAuthHeader, LlmAnswerer } from '../../src/llm/index.js';
import { silentLogger } from '../../src/logger.js';
import { chat, ENTRIES } from './fake-openai.js';

const AZURE = 'https://council-ai.openai.azure.com';
const clock = fixedClock('2026-11-27T01:00:00Z');
let mock: MockAgent;

beforeEach(() => {
  mock = new MockAgent();
  mock.disableNetConnect();
});
afterEach(async () => {
  await mock.close();
});

function answerer(baseUrl: string, apiKey = 'azure-key') {
  return new LlmAnswerer(
    {
      baseUrl,
      apiKey,
      model: 'gpt-4o',
      timeoutMs: 2_000,
      sendPersonalData: false,
      ratePerMinute: 10,
    },
    { clock, logger: silentLogger(), sleep: async () => {}, dispatcher: mock },
  );
}
const ask = (a: LlmAnswerer) =>
  a.answer({ question: 'What about gifts?', userKey: 'u', entries: ENTRIES });
const reply = chat('Declare gifts over **$500** [2].').body as object;

describe('chat-completions URL and auth', () => {
  it.each([
    ['https://api.openai.com/v1', 'https://api.openai.com/v1/chat/completions'],
    ['http://127.0.0.1:11434/v1/', 'http://127.0.0.1:11434/v1/chat/completions'],
    ['http://localhost:8080/v1/chat/completions', 'http://localhost:8080/v1/chat/completions'],
    [
      `${AZURE}/openai/deployments/gpt4o?api-version=2024-10-21`,
      `${AZURE}/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21`,
    ],
  ])('%s -> %s', (base, want) => {
    expect(chatCompletionsUrl(base).href).toBe(want);
  });

  it('uses the api-key header for Azure hosts only', () => {
    expect(defaultAuthHeader(new URL(AZURE))).toBe('api-key');
    expect(defaultAuthHeader(new URL('https://api.openai.com'))).toBe('bearer');
  });
});

describe('LlmAnswerer with a MockAgent dispatcher', () => {
  it('calls an Azure deployments URL with the api-key header', async () => {
    mock
      .get(AZURE)
      .intercept({
        path: '/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21',
        method: 'POST',
        headers: (h) => h['api-key'] === 'azure-key' && !('authorization' in h),
      })
      .reply(200, reply);
    const out = await ask(answerer(`${AZURE}/openai/deployments/gpt4o?api-version=2024-10-21`));
    expect(out).toMatchObject({ ok: true, text: 'Declare gifts over **$500** [1].' });
    mock.assertNoPendingInterceptors();
  });

  it('retries a connection error and then succeeds', async () => {
    const pool = mock.get('https://api.openai.com');
    pool
      .intercept({ path: '/v1/chat/completions', method: 'POST' })
      .replyWithError(new Error('socket hang up'));
    pool.intercept({ path: '/v1/chat/completions', method: 'POST' }).reply(200, reply);
    expect((await ask(answerer('https://api.openai.com/v1'))).ok).toBe(true);
    mock.assertNoPendingInterceptors();
  });

  it('treats a content-filtered choice as a bad response', async () => {
    mock
      .get('https://api.openai.com')
      .intercept({ path: '/v1/chat/completions', method: 'POST' })
      .reply(200, chat('', 'content_filter').body as object);
    expect(await ask(answerer('https://api.openai.com/v1'))).toMatchObject({
      ok: false,
      reason: 'bad-response',
      detail: 'content filter',
    });
  });

  it('leaves an injected dispatcher open on close', async () => {
    const a = answerer('https://api.openai.com/v1');
    await a.close();
    mock
      .get('https://api.openai.com')
      .intercept({ path: '/v1/chat/completions', method: 'POST' })
      .reply(200, reply);
    expect((await ask(answerer('https://api.openai.com/v1'))).ok).toBe(true);
  });
});
