import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { endpointUrl, JsonClient } from './http.js';
import type { ChatMessage } from './prompt.js';
import type { AuthHeaderMode } from './types.js';

export { defaultAuthHeader, retryAfterMs } from './http.js';

/** The model's reply, or why there is none. `attempts` counts HTTP requests made. */
export type ChatResult =
  | { ok: true; content: string; attempts: number }
  | {
      ok: false;
      reason: 'timeout' | 'aborted' | 'http-error' | 'bad-response';
      detail: string;
      attempts: number;
    };

/** What the client needs to know; see `LlmSettings` for each field. */
export interface ChatClientOptions {
  baseUrl: string;
  apiKey?: string;
  authHeader?: AuthHeaderMode;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  maxRetryAfterMs: number;
  maxTokens: number;
}

/** The chat-completions URL: a base URL gets `/chat/completions`, a full URL is used as it is. */
export function chatCompletionsUrl(baseUrl: string): URL {
  return endpointUrl(baseUrl, '/chat/completions');
}

/** Pulls the answer text out of a chat-completions response, or says what is wrong with it. */
export function contentOf(json: unknown): { content: string } | { error: string } {
  const body = json as {
    choices?: { message?: { content?: unknown }; finish_reason?: string }[];
  } | null;
  const choice = Array.isArray(body?.choices) ? body.choices[0] : undefined;
  if (!choice) return { error: 'no choices' };
  if (choice.finish_reason === 'length') return { error: 'answer cut off (finish_reason length)' };
  if (choice.finish_reason === 'content_filter') return { error: 'content filter' };
  const raw = choice.message?.content;
  // Some servers send content as parts: [{type: 'text', text}].
  const content = Array.isArray(raw)
    ? raw.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join('')
    : raw;
  if (typeof content !== 'string' || content.trim() === '') return { error: 'empty choice' };
  return { content };
}

/**
 * An OpenAI-compatible chat-completions client on an undici dispatcher. One call has one time
 * budget (`timeoutMs`) that covers every attempt and back-off; 429s, 5xx and network errors are
 * retried up to `maxRetries` times.
 */
export class ChatClient {
  private readonly http: JsonClient;

  constructor(
    private readonly opts: ChatClientOptions,
    deps: {
      clock: Clock;
      sleep: (ms: number) => Promise<void>;
      dispatcher?: Dispatcher;
    },
  ) {
    this.http = new JsonClient(chatCompletionsUrl(opts.baseUrl), opts, deps);
  }

  /** Sends the messages and returns the first choice's text. Never throws. */
  async complete(messages: ChatMessage[], callerSignal?: AbortSignal): Promise<ChatResult> {
    const payload = {
      model: this.opts.model,
      messages,
      temperature: 0,
      max_tokens: this.opts.maxTokens,
      stream: false,
    };
    const result = await this.http.post(
      payload,
      (json) => {
        const got = contentOf(json);
        return 'error' in got ? got : { value: got.content };
      },
      { signal: callerSignal },
    );
    return result.ok ? { ok: true, content: result.value, attempts: result.attempts } : result;
  }

  /** Closes the connection pool if this client created it; an injected dispatcher is the caller's. */
  async close(): Promise<void> {
    await this.http.close();
  }
}
