/**
 * Records the questions the bot could not answer, when RECORD_UNANSWERED is on: redacted, with
 * no user id, kept for UNANSWERED_RETENTION_DAYS and then purged. Nothing here is sent anywhere.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Store, UnansweredQuestion } from '../storage/types.js';
import { redactQuestion } from './redact.js';

const DAY_MS = 24 * 3600_000;

/** Settings for recording. */
export interface RecordingSettings {
  /** Off by default: the text of questions is kept only when a council turns this on. */
  enabled: boolean;
  retentionDays: number;
}

/** One question the bot did not answer, as the core saw it. */
export interface UnansweredEvent {
  /** The question as the user typed it (after `cleanIncoming`); redacted here before storing. */
  text: string;
  outcome: UnansweredQuestion['outcome'];
  declinedKind?: string;
  closest?: { entryId: string; score: number };
}

/** Keeps redacted unanswered questions and purges the old ones. */
export class UnansweredRecorder {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      logger: Logger;
      settings: RecordingSettings;
    },
  ) {}

  /** Whether question text is being kept. */
  get enabled(): boolean {
    return this.deps.settings.enabled;
  }

  get retentionDays(): number {
    return this.deps.settings.retentionDays;
  }

  /**
   * Stores the question in the background (an answer never waits on it); a failed write is
   * logged, never shown to the user. Does nothing when recording is off.
   */
  record(event: UnansweredEvent): void {
    if (!this.enabled) return;
    const text = redactQuestion(event.text);
    if (!text) return;
    const question: UnansweredQuestion = {
      at: this.deps.clock.now().toISOString(),
      outcome: event.outcome,
      text,
      ...(event.declinedKind ? { declinedKind: event.declinedKind } : {}),
      ...(event.closest
        ? {
            closestEntryId: event.closest.entryId,
            closestScore: Math.round(event.closest.score * 1000) / 1000,
          }
        : {}),
    };
    const write = this.deps.store
      .addUnanswered(question)
      .catch((err: unknown) => this.deps.logger.error({ err }, 'unanswered question not recorded'))
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Resolves when every recording started so far has been written (for shutdown and tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /**
   * Deletes questions older than the retention period; resolves with how many. Runs whether or
   * not recording is on, so turning it off still lets what was kept expire.
   */
  async purge(): Promise<number> {
    const before = new Date(
      this.deps.clock.now().getTime() - this.deps.settings.retentionDays * DAY_MS,
    ).toISOString();
    const n = await this.deps.store.purgeUnanswered(before);
    if (n) this.deps.logger.info({ purged: n, before }, 'old unanswered questions purged');
    return n;
  }
}
