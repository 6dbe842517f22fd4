/**
 * Optional LLM answers: an answer phrased for the exact question, drawn from several
 * guidance entries, with every claim cited. Off unless LLM_BASE_URL is set.
 *
 * How the caller uses it:
 *
 * ```ts
 * const llm = llmFromConfig(config, { clock, logger }); // undefined: LLM answers are off
 * const r = retriever.search(question);
 * const entries = entriesFor(r); // [] unless retrieval was confident: then no call is made
 * const outcome = llm && entries.length
 *   ? await llm.answer({ question, userKey: `${user.platform}:${user.workspace ?? ''}:${user.id}`, entries })
 *   : undefined;
 * const blocks = outcome?.ok ? aiAssistedBlocks(outcome) : extractiveBlocks; // fall back on any failure
 * // at shutdown: await llm?.close();
 * ```
 *
 * Guarantees:
 * - `answer()` never throws. Any problem is `{ ok: false, reason }` and the caller shows the
 *   extractive answer: `no-sources` (0 entries; nothing is sent), `rate-limited` (per user,
 *   LLM_RATE_LIMIT_PER_MINUTE in a sliding 60 s window), `circuit-open` (3 failures in a row stop
 *   calls for 60 s, then one trial call), `timeout` (LLM_TIMEOUT_MS covers retries and back-off),
 *   `aborted` (the caller's signal), `http-error` (after up to 2 retries of 429/5xx/network errors,
 *   honouring Retry-After up to 5 s), `bad-response` (malformed JSON, empty or cut-off choice),
 *   `no-answer` (the model said the sources do not answer), `failed-check` (see below).
 * - Grounding check (`checkAnswer`): every [n] refers to a supplied source, at least one citation,
 *   and no URL, link target, email, phone number or figure (number, year, money, percentage,
 *   number word) that the sources' titles, answers and metadata do not contain.
 * - `text` is in the markdown subset (**bold**, [label](url) for supplied URLs, "- " bullets)
 *   with citations renumbered so `[n]` is `cited[n - 1]`; `aiAssistedBlocks` labels it
 *   AI-assisted and lists only the cited entries and their documents.
 * - The question is fenced in <question>…</question> with all angle brackets neutralised, and the
 *   system rules say to ignore instructions inside it. Unless LLM_SEND_PERSONAL_DATA is on,
 *   emails and phone numbers in the question are redacted (numbers the sources publish, like
 *   NZSIS's 0800 747 224, are kept). The sources themselves are never redacted.
 * - Logs carry reason codes, latency, attempts and entry ids; the question and the model's text
 *   are logged only at debug level.
 * - Servers: any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, llama.cpp server,
 *   Ollama's /v1). LLM_BASE_URL is a base URL (`.../v1`) or a full URL ending /chat/completions;
 *   an Azure deployments URL (with ?api-version=) works as either, and Azure hosts get the
 *   `api-key` header instead of `Authorization: Bearer`.
 *
 * Entry picking (`pickerFromConfig`, on with LLM_BASE_URL unless LLM_PICK_ENTRY=false): when
 * lexical retrieval is unsure, `picker.pick({ question, userKey, candidates })` asks the model
 * which of a closed list of entries answers the question. The outcome is `{ ok: true, id }`
 * (an id from the list, or null for none) or `{ ok: false, reason }` (the failures above, plus
 * `malformed` and `not-in-list`): keep the lexical result then. The answer shown is still the
 * picked entry's curated text. Same fencing, redaction, breaker and rate limit as answers.
 */
export { entriesFor, LlmAnswerer, type LlmDeps, llmFromConfig } from './answerer.js';
export { type CheckResult, checkAnswer } from './check.js';
export { ChatClient, chatCompletionsUrl, defaultAuthHeader } from './client.js';
export { guardFailure } from './guard.js';
export { endpointUrl, JsonClient, type PostResult } from './http.js';
export { type BreakerState, CircuitBreaker, RateLimiter } from './limits.js';
export {
  buildPickMessages,
  candidateSummary,
  EntryPicker,
  PICK_RULES,
  type PickerDeps,
  type PickerSettings,
  type PickFailureReason,
  type PickInput,
  type PickOutcome,
  parsePick,
  pickerFromConfig,
} from './picker.js';
export { plainText } from './plain.js';
export { buildMessages, fenceQuestion, NO_ANSWER, neutraliseTags, SYSTEM_RULES } from './prompt.js';
export { redactPersonal } from './redact.js';
export { AI_ASSISTED_NOTICE, aiAssistedBlocks } from './reply.js';
export type {
  AuthHeaderMode,
  LlmFailureReason,
  LlmInput,
  LlmOutcome,
  LlmSettings,
} from './types.js';
