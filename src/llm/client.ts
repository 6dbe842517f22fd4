import { Agent, type Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { ChatMessage } from './prompt.js';
import type { AuthHeaderMode } from './types.js';

/** Largest response body read; a chat answer is a few kilobytes. */
const MAX_BODY_BYTES = 1 << 20;
/** First back-off wait; it doubles on each retry. */
const BACKOFF_MS = 250;

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

type Attempt =
  | { done: true; result: ChatResult }
  | { done: false; detail: string; retryAfterMs?: number };

/** The chat-completions URL: a base URL gets `/chat/completions`, a full URL is used as it is. */
export function chatCompletionsUrl(baseUrl: string): URL {
  const url = new URL(baseUrl);
  if (!/\/chat\/completions\/?$/.test(url.pathname))
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
  return url;
}

/** Azure OpenAI wants its key in `api-key`; everything else takes a bearer token. */
export function defaultAuthHeader(url: URL): AuthHeaderMode {
  return /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i.test(
    url.hostname,
  )
    ? 'api-key'
    : 'bearer';
}

/** Milliseconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(
  headers: Dispatcher.ResponseData['headers'],
  now: Date,
): number | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const ms = first(headers['retry-after-ms']);
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Number(ms);
  const value = first(headers['retry-after'])?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
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
  private readonly url: URL;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly headers: Record<string, string>;
  private closed = false;

  constructor(
    private readonly opts: ChatClientOptions,
    private readonly deps: {
      clock: Clock;
      sleep: (ms: number) => Promise<void>;
      dispatcher?: Dispatcher;
    },
  ) {
    this.url = chatCompletionsUrl(opts.baseUrl);
    this.ownsDispatcher = !deps.dispatcher;
    this.dispatcher =
      deps.dispatcher ??
      new Agent({
        connections: 16,
        connect: { timeout: Math.min(opts.timeoutMs, 10_000) },
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
        keepAliveTimeout: 30_000,
      });
    this.headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (opts.apiKey) {
      if ((opts.authHeader ?? defaultAuthHeader(this.url)) === 'api-key')
        this.headers['api-key'] = opts.apiKey;
      else this.headers.authorization = `Bearer ${opts.apiKey}`;
    }
  }

  /** Sends the messages and returns the first choice's text. Never throws. */
  async complete(messages: ChatMessage[], callerSignal?: AbortSignal): Promise<ChatResult> {
    const deadline = AbortSignal.timeout(this.opts.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([deadline, callerSignal]) : deadline;
    const started = performance.now();
    const body = JSON.stringify({
      model: this.opts.model,
      messages,
      temperature: 0,
      max_tokens: this.opts.maxTokens,
      stream: false,
    });
    for (let attempt = 1; ; attempt++) {
      const a = await this.once(body, signal, callerSignal, attempt);
      if (a.done) return a.result;
      const failed = (detail: string): ChatResult => ({
        ok: false,
        reason: 'http-error',
        detail,
        attempts: attempt,
      });
      if (attempt > this.opts.maxRetries) return failed(a.detail);
      if (a.retryAfterMs !== undefined && a.retryAfterMs > this.opts.maxRetryAfterMs)
        return failed(`${a.detail}; Retry-After ${a.retryAfterMs} ms is over the cap`);
      const wait = a.retryAfterMs ?? BACKOFF_MS * 2 ** (attempt - 1);
      // Waiting past the budget would only end in a timeout; give up now instead.
      if (performance.now() - started + wait >= this.opts.timeoutMs) return failed(a.detail);
      await this.pause(wait, signal);
      if (signal.aborted) return this.abortResult(callerSignal, attempt);
    }
  }

  private async once(
    body: string,
    signal: AbortSignal,
    callerSignal: AbortSignal | undefined,
    attempt: number,
  ): Promise<Attempt> {
    const done = (reason: 'http-error' | 'bad-response', detail: string): Attempt => ({
      done: true,
      result: { ok: false, reason, detail, attempts: attempt },
    });
    try {
      const res = await this.dispatcher.request({
        origin: this.url.origin,
        path: `${this.url.pathname}${this.url.search}`,
        method: 'POST',
        headers: this.headers,
        body,
        signal,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
      });
      const status = res.statusCode;
      if (status === 429 || status >= 500) {
        await res.body.dump();
        return {
          done: false,
          detail: `HTTP ${status}`,
          retryAfterMs: retryAfterMs(res.headers, this.deps.clock.now()),
        };
      }
      if (status < 200 || status >= 300) {
        await res.body.dump();
        return done('http-error', `HTTP ${status}`);
      }
      const text = await readLimited(res.body);
      if (text === undefined) return done('bad-response', 'response too large');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return done('bad-response', 'malformed JSON');
      }
      const got = contentOf(json);
      if ('error' in got) return done('bad-response', got.error);
      return { done: true, result: { ok: true, content: got.content, attempts: attempt } };
    } catch (err) {
      if (signal.aborted) return { done: true, result: this.abortResult(callerSignal, attempt) };
      const code = (err as { code?: string }).code ?? (err as Error).name;
      if (/TIMEOUT/i.test(code))
        return {
          done: true,
          result: { ok: false, reason: 'timeout', detail: code, attempts: attempt },
        };
      // A refused or reset connection may be a server restarting: worth another try.
      return { done: false, detail: code };
    }
  }

  private abortResult(callerSignal: AbortSignal | undefined, attempts: number): ChatResult {
    return callerSignal?.aborted
      ? { ok: false, reason: 'aborted', detail: 'cancelled by the caller', attempts }
      : { ok: false, reason: 'timeout', detail: `over ${this.opts.timeoutMs} ms`, attempts };
  }

  /** The injected sleep, cut short when the call is aborted. */
  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    let onAbort = () => {};
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    await Promise.race([this.deps.sleep(ms), aborted]);
    signal.removeEventListener('abort', onAbort);
  }

  /** Closes the connection pool if this client created it; an injected dispatcher is the caller's. */
  async close(): Promise<void> {
    if (!this.ownsDispatcher || this.closed) return;
    this.closed = true;
    await this.dispatcher.close();
  }
}

/** Reads a body up to MAX_BODY_BYTES; undefined when it is bigger. */
async function readLimited(body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
