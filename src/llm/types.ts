import type { Entry } from '../knowledge/index.js';

/** How the API key is sent: OpenAI-style bearer token, or Azure OpenAI's `api-key` header. */
export type AuthHeaderMode = 'bearer' | 'api-key';

/** Settings for the LLM answerer; `llmFromConfig` fills them from `Config`. */
export interface LlmSettings {
  /**
   * An OpenAI-compatible base URL (`https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`) or
   * a full chat-completions URL (an Azure deployments URL with its `?api-version=`).
   */
  baseUrl: string;
  /** Sent as `Authorization: Bearer` or `api-key`; omit for local servers without auth. */
  apiKey?: string;
  model: string;
  /** The whole budget for one answer, retries and back-off included. */
  timeoutMs: number;
  /** Off: emails and phone numbers in the question are redacted before sending. */
  sendPersonalData: boolean;
  /** LLM calls each user may make in any 60 s window. */
  ratePerMinute: number;
  /** Retries after a 429, a 5xx or a network error (default 2). */
  maxRetries?: number;
  /** Default: `api-key` for Azure hosts, else `bearer`. */
  authHeader?: AuthHeaderMode;
  /** Most entries sent as sources (default 5); the caller's order is kept. */
  maxSources?: number;
  /** Consecutive failures that open the circuit (default 3). */
  breakerThreshold?: number;
  /** How long an open circuit refuses calls, by the injected clock (default 60 s). */
  breakerCoolDownMs?: number;
  /** Longest Retry-After honoured (default 5 s); a longer wait gives up instead. */
  maxRetryAfterMs?: number;
  /** `max_tokens` in the request (default 700). */
  maxTokens?: number;
}

/** Why no LLM answer is available; every case means "use the extractive answer". */
export type LlmFailureReason =
  | 'no-sources'
  | 'rate-limited'
  | 'circuit-open'
  | 'timeout'
  | 'aborted'
  | 'http-error'
  | 'bad-response'
  | 'no-answer'
  | 'failed-check';

/**
 * The result of one `answer()` call. On success `text` is in the markdown subset (**bold**,
 * `[label](url)` only for supplied URLs, "- " bullets) with citations renumbered so that
 * `[n]` refers to `cited[n - 1]`.
 */
export type LlmOutcome =
  | { ok: true; text: string; cited: Entry[] }
  | { ok: false; reason: LlmFailureReason; detail?: string };

/** What `answer()` needs for one question. */
export interface LlmInput {
  question: string;
  /** Identifies the user for the rate limit (e.g. `platform:workspace:id`). */
  userKey: string;
  /** The entries the caller chose, best first; they become sources [1]..[n]. */
  entries: Entry[];
  /** Cancels the call (the outcome is then `aborted`). */
  signal?: AbortSignal;
}
