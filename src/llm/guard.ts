import type { Entry } from '../knowledge/index.js';
import type { LlmOutcome } from './types.js';

/**
 * Refuses a call that must not reach the model: no sources to ground it (the model would answer
 * from its own knowledge) or an already-cancelled request. Undefined means "go ahead".
 */
export function guardFailure(
  entries: readonly Entry[],
  signal?: AbortSignal,
): Extract<LlmOutcome, { ok: false }> | undefined {
  if (entries.length === 0) return { ok: false, reason: 'no-sources' };
  if (signal?.aborted) return { ok: false, reason: 'aborted', detail: 'cancelled by the caller' };
  return undefined;
}
