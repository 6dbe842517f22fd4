import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Entry } from '../knowledge/index.js';
import type { Metrics } from '../metrics.js';
import type { Retrieval } from '../retrieval/index.js';
import { checkAnswer } from './check.js';
import { guardFailure } from './guard.js';
import { GuardedChat } from './guarded.js';
import { buildMessages, sourceCorpus } from './prompt.js';
import { publicContacts, redactPersonal } from './redact.js';
import type { LlmInput, LlmOutcome, LlmSettings } from './types.js';

/** What the answerer is given rather than creating itself, so tests control time and network. */
export interface LlmDeps {
  clock: Clock;
  logger: Logger;
  /** Back-off waits go through this; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** An undici dispatcher (a MockAgent in tests); by default the answerer pools its own. */
  dispatcher?: Dispatcher;
  /** Counts calls to the model and fallbacks to the extractive answer. */
  metrics?: Pick<Metrics, 'llmCall' | 'llmFallback'>;
}

/**
 * Phrases an answer to the exact question from the entries the caller chose, through an
 * OpenAI-compatible model, and accepts it only if it passes the grounding check. Every failure is
 * an `{ ok: false }` outcome: the caller then shows the extractive answer.
 */
export class LlmAnswerer {
  private readonly chat: GuardedChat;
  private readonly log: Logger;
  private readonly metrics: LlmDeps['metrics'];

  constructor(
    private readonly settings: LlmSettings,
    deps: LlmDeps,
  ) {
    this.chat = new GuardedChat(settings, settings.maxTokens ?? 700, deps);
    this.log = deps.logger.child({ component: 'llm' });
    this.metrics = deps.metrics;
  }

  /** Answers from `entries` (sources [1]..[n]), or says why not. Never throws. */
  async answer(input: LlmInput): Promise<LlmOutcome> {
    const started = performance.now();
    const entries = input.entries.slice(0, this.settings.maxSources ?? 5);
    let attempts = 0;
    const finish = (outcome: LlmOutcome): LlmOutcome => {
      // Reason codes, timings and ids only: the question and the model's text stay at debug.
      this.log.info(
        {
          outcome: outcome.ok ? 'ok' : outcome.reason,
          detail: outcome.ok ? undefined : outcome.detail,
          latencyMs: Math.round(performance.now() - started),
          attempts,
          entries: entries.map((e) => e.id),
          cited: outcome.ok ? outcome.cited.map((e) => e.id) : undefined,
          breaker: this.chat.breaker.state(),
        },
        'llm answer',
      );
      if (!outcome.ok) this.metrics?.llmFallback(outcome.reason);
      return outcome;
    };
    try {
      const refused = guardFailure(entries, input.signal);
      if (refused) return finish(refused);
      const result = await this.chat.complete(
        input.userKey,
        () => {
          const question = this.settings.sendPersonalData
            ? input.question
            : redactPersonal(input.question, publicContacts(sourceCorpus(entries)));
          this.log.debug({ question }, 'llm question');
          this.metrics?.llmCall();
          return buildMessages(question, entries);
        },
        input.signal,
      );
      attempts = result.attempts;
      if (!result.ok) return finish({ ok: false, reason: result.reason, detail: result.detail });
      const checked = checkAnswer(result.content, entries);
      if (!checked.ok) {
        this.log.debug({ content: result.content }, 'llm answer rejected');
        return finish({ ok: false, reason: checked.reason, detail: checked.detail });
      }
      return finish({ ok: true, text: checked.text, cited: checked.cited });
    } catch (err) {
      // Nothing above should throw; if it does, the extractive answer is still right.
      this.log.error({ err }, 'llm answer failed unexpectedly');
      return finish({ ok: false, reason: 'bad-response', detail: 'internal error' });
    }
  }

  /** Closes the connection pool (a dispatcher passed in is left to its owner). */
  close(): Promise<void> {
    return this.chat.close();
  }
}

/**
 * The entries worth sending for a retrieval: none unless it was confident, else the top entry and
 * related entries that matched the question itself (not ones only linked from the top entry).
 */
export function entriesFor(retrieval: Retrieval, max = 3): Entry[] {
  if (!retrieval.answered || !retrieval.top) return [];
  const related = retrieval.related.filter((h) => h.score > 0).map((h) => h.entry);
  return [retrieval.top.entry, ...related].slice(0, max);
}

/** The answerer for the settings, or undefined when LLM_BASE_URL is unset (LLM answers off). */
export function llmFromConfig(
  config: Pick<
    Config,
    | 'LLM_BASE_URL'
    | 'LLM_API_KEY'
    | 'LLM_MODEL'
    | 'LLM_TIMEOUT_MS'
    | 'LLM_SEND_PERSONAL_DATA'
    | 'LLM_RATE_LIMIT_PER_MINUTE'
  >,
  deps: LlmDeps,
): LlmAnswerer | undefined {
  if (!config.LLM_BASE_URL) return undefined;
  return new LlmAnswerer(
    {
      baseUrl: config.LLM_BASE_URL,
      apiKey: config.LLM_API_KEY,
      model: config.LLM_MODEL,
      timeoutMs: config.LLM_TIMEOUT_MS,
      sendPersonalData: config.LLM_SEND_PERSONAL_DATA,
      ratePerMinute: config.LLM_RATE_LIMIT_PER_MINUTE,
    },
    deps,
  );
}
