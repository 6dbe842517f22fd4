import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { AuthHeaderMode } from './types.js';

/** Default cap on a response body; a chat answer is a few kilobytes. */
const DEFAULT_MAX_BODY_BYTES = 1 << 20;
/** First back-off wait; it doubles on each retry. */
const BACKOFF_MS = 250;

/** Why a call gave no usable JSON. */
export type PostFailure = 'timeout' | 'aborted' | 'http-error' | 'bad-response';

/** The parsed reply, or why there is none. `attempts` counts HTTP requests made. */
export type PostResult<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; reason: PostFailure; detail: string; attempts: number };

/** Turns a response's JSON into a value, or says what is wrong with it. */
export type ParseJson<T> = (json: unknown) => { value: T } | { error: string };

/** How the client talks to one endpoint. */
export interface JsonClientOptions {
  /** Sent as `Authorization: Bearer` or `api-key`; omit for local servers without auth. */
  apiKey?: string;
  /** Default: `api-key` for Azure hosts, else `bearer`. */
  authHeader?: AuthHeaderMode;
  /** The whole budget for one call, retries and back-off included (a call may override it). */
  timeoutMs: number;
  /** Retries after a 429, a 5xx or a network error. */
  maxRetries: number;
  /** Longest Retry-After honoured; a longer wait gives up instead. */
  maxRetryAfterMs: number;
  /** Largest response body read (default 1 MiB); a bigger one is `bad-response`. */
  maxBodyBytes?: number;
}

/** What the client is given rather than creating itself, so tests control time and network. */
export interface JsonClientDeps {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** An undici dispatcher (a MockAgent in tests); by default the client pools its own. */
  dispatcher?: Dispatcher;
}

type Attempt<T> =
  | { done: true; result: PostResult<T> }
  | { done: false; detail: string; retryAfterMs?: number };

/** Azure OpenAI wants its key in `api-key`; everything else takes a bearer token. */
export function defaultAuthHeader(url: URL): AuthHeaderMode {
  return /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i.test(
    url.hostname,
  )
    ? 'api-key'
    : 'bearer';
}

/** Appends `suffix` (`/chat/completions`, `/embeddings`) to a base URL; a full URL is kept as it is. */
export function endpointUrl(baseUrl: string, suffix: string): URL {
  const url = new URL(baseUrl);
  const escaped = suffix.replace(/[/.]/g, '\\$&');
  if (!new RegExp(`${escaped}\\/?$`).test(url.pathname))
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${suffix}`;
  return url;
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

/**
 * POSTs JSON to one OpenAI-compatible endpoint on an undici dispatcher. One call has one time
 * budget that covers every attempt and back-off; 429s, 5xx and network errors are retried up to
 * `maxRetries` times, honouring Retry-After. Never throws.
 */
export class JsonClient {
  /** Made on first use: undici is loaded only once a model or embeddings endpoint is called. */
  private dispatcher?: Promise<Dispatcher>;
  private readonly ownsDispatcher: boolean;
  private readonly headers: Record<string, string>;
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly opts: JsonClientOptions,
    private readonly deps: JsonClientDeps,
  ) {
    this.ownsDispatcher = !deps.dispatcher;
    this.headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (opts.apiKey) {
      if ((opts.authHeader ?? defaultAuthHeader(this.url)) === 'api-key')
        this.headers['api-key'] = opts.apiKey;
      else this.headers.authorization = `Bearer ${opts.apiKey}`;
    }
  }

  /** Sends `payload` and parses the reply with `parse`. Never throws. */
  async post<T>(
    payload: unknown,
    parse: ParseJson<T>,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<PostResult<T>> {
    const budget = options.timeoutMs ?? this.opts.timeoutMs;
    const callerSignal = options.signal;
    const deadline = AbortSignal.timeout(budget);
    const signal = callerSignal ? AbortSignal.any([deadline, callerSignal]) : deadline;
    const started = performance.now();
    const body = JSON.stringify(payload);
    for (let attempt = 1; ; attempt++) {
      const a = await this.once(body, parse, { signal, callerSignal, attempt, budget });
      if (a.done) return a.result;
      const failed = (detail: string): PostResult<T> => ({
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
      if (performance.now() - started + wait >= budget) return failed(a.detail);
      await this.pause(wait, signal);
      if (signal.aborted) return this.abortResult(callerSignal, attempt, budget);
    }
  }

  private async once<T>(
    body: string,
    parse: ParseJson<T>,
    call: {
      signal: AbortSignal;
      callerSignal: AbortSignal | undefined;
      attempt: number;
      budget: number;
    },
  ): Promise<Attempt<T>> {
    const { signal, callerSignal, attempt, budget } = call;
    const done = (reason: 'http-error' | 'bad-response', detail: string): Attempt<T> => ({
      done: true,
      result: { ok: false, reason, detail, attempts: attempt },
    });
    try {
      const res = await (await this.pool()).request({
        origin: this.url.origin,
        path: `${this.url.pathname}${this.url.search}`,
        method: 'POST',
        headers: this.headers,
        body,
        signal,
        headersTimeout: budget,
        bodyTimeout: budget,
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
      const text = await readLimited(res.body, this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      if (text === undefined) return done('bad-response', 'response too large');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return done('bad-response', 'malformed JSON');
      }
      const got = parse(json);
      if ('error' in got) return done('bad-response', got.error);
      return { done: true, result: { ok: true, value: got.value, attempts: attempt } };
    } catch (err) {
      if (signal.aborted)
        return { done: true, result: this.abortResult(callerSignal, attempt, budget) };
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

  private abortResult<T>(
    callerSignal: AbortSignal | undefined,
    attempts: number,
    budget: number,
  ): PostResult<T> {
    return callerSignal?.aborted
      ? { ok: false, reason: 'aborted', detail: 'cancelled by the caller', attempts }
      : { ok: false, reason: 'timeout', detail: `over ${budget} ms`, attempts };
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

  /** The injected dispatcher, or this client's own pool, created (and undici loaded) on first use. */
  private pool(): Promise<Dispatcher> {
    const { timeoutMs } = this.opts;
    this.dispatcher ??= this.deps.dispatcher
      ? Promise.resolve(this.deps.dispatcher)
      : import('undici').then(
          ({ Agent }) =>
            new Agent({
              connections: 16,
              connect: { timeout: Math.min(timeoutMs, 10_000) },
              headersTimeout: timeoutMs,
              bodyTimeout: timeoutMs,
              keepAliveTimeout: 30_000,
            }),
        );
    return this.dispatcher;
  }

  /** Closes the connection pool if this client created it; an injected dispatcher is the caller's. */
  async close(): Promise<void> {
    if (!this.ownsDispatcher || this.closed) return;
    this.closed = true;
    if (this.dispatcher) await (await this.dispatcher).close();
  }
}

/** Reads a body up to `max` bytes; undefined when it is bigger. */
async function readLimited(
  body: Dispatcher.ResponseData['body'],
  max: number,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
