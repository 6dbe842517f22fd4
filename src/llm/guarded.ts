import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { ChatClient, type ChatResult } from './client.js';
import { CircuitBreaker, RateLimiter } from './limits.js';
import type { ChatMessage } from './prompt.js';
import type { LlmSettings } from './types.js';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A guarded call's result: the model's reply, or why there is none. */
export type GuardedResult =
  | ChatResult
  | { ok: false; reason: 'circuit-open' | 'rate-limited'; detail?: undefined; attempts: 0 };

/** What a guarded chat is given; a breaker or limiter passed in is shared with other callers. */
export interface GuardedDeps {
  clock: Clock;
  sleep?: (ms: number) => Promise<void>;
  dispatcher?: Dispatcher;
  breaker?: CircuitBreaker;
  limiter?: RateLimiter;
}

/**
 * One model call behind the circuit breaker and the per-user rate limit, shared by the answerer
 * and the entry picker: the breaker learns from every outcome, except a caller's own cancel.
 */
export class GuardedChat {
  private readonly client: ChatClient;
  readonly breaker: CircuitBreaker;
  private readonly limiter: RateLimiter;

  constructor(settings: LlmSettings, maxTokens: number, deps: GuardedDeps) {
    this.client = new ChatClient(
      {
        baseUrl: settings.baseUrl,
        apiKey: settings.apiKey,
        authHeader: settings.authHeader,
        model: settings.model,
        timeoutMs: settings.timeoutMs,
        maxRetries: settings.maxRetries ?? 2,
        maxRetryAfterMs: settings.maxRetryAfterMs ?? 5_000,
        maxTokens,
      },
      { clock: deps.clock, sleep: deps.sleep ?? realSleep, dispatcher: deps.dispatcher },
    );
    this.limiter = deps.limiter ?? new RateLimiter(settings.ratePerMinute, deps.clock);
    this.breaker =
      deps.breaker ??
      new CircuitBreaker(
        settings.breakerThreshold ?? 3,
        settings.breakerCoolDownMs ?? 60_000,
        deps.clock,
      );
  }

  /**
   * Whether a call may go ahead for this user now; `send` builds the messages only then (so a
   * refused call redacts and logs nothing). Never throws.
   */
  async complete(
    userKey: string,
    send: () => ChatMessage[],
    signal?: AbortSignal,
  ): Promise<GuardedResult> {
    if (!this.breaker.allow()) return { ok: false, reason: 'circuit-open', attempts: 0 };
    if (!this.limiter.take(userKey)) {
      this.breaker.release();
      return { ok: false, reason: 'rate-limited', attempts: 0 };
    }
    try {
      const result = await this.client.complete(send(), signal);
      if (result.ok) this.breaker.success();
      // A caller's cancel says nothing about the model's health.
      else if (result.reason === 'aborted') this.breaker.release();
      else this.breaker.failure();
      return result;
    } catch (err) {
      // Nothing here should throw; if it does, the caller's fallback still stands.
      this.breaker.release();
      throw err;
    }
  }

  /** Closes the connection pool (a dispatcher passed in is left to its owner). */
  close(): Promise<void> {
    return this.client.close();
  }
}
