import type { Logger } from 'pino';
import { ChecklistActions } from './checklist/render.js';
import type { Clock } from './clock.js';
import type { CuratorDigest } from './curation/digest.js';
import type { UnansweredRecorder } from './curation/unanswered.js';
import type { CaseService } from './escalation/service.js';
import type { Metrics } from './metrics.js';
import type { Notifier, Platform, Reply } from './model.js';
import type { ScheduledJob, Store } from './storage/index.js';

/** The message that invites a user to their post-trip debrief. */
export function debriefInvite(tripId: string): Reply {
  return {
    kind: 'notice',
    blocks: [
      {
        type: 'paragraph',
        text: `Welcome back. Your visit (${tripId}) has finished, so it's time for a two-minute debrief about anything unusual.`,
      },
      {
        type: 'buttons',
        buttons: [
          {
            id: ChecklistActions.start,
            label: 'Start the debrief',
            value: `debrief:${tripId}`,
            style: 'primary',
          },
        ],
      },
    ],
  };
}

/**
 * Runs durable jobs when they fall due. Jobs live in storage, so a restart loses none; a
 * job whose delivery fails stays and is tried again on the next tick.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private firstTimer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  private lastPurgeDay = '';
  private stopped = false;
  private lastPruneHour = '';
  private lastUnansweredPurgeDay = '';

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      logger: Logger;
      notifiers: Map<Platform, Notifier>;
      /** Case deadlines, the outbox and retention run on the same tick. */
      cases?: CaseService;
      retentionDays?: number;
      /** Conversation state idle this long is dropped, once an hour. */
      conversationIdleDays?: number;
      /** Counts debrief invitations sent and retried. */
      metrics?: Pick<Metrics, 'debriefInvitation'>;
      /** This process's name on job claims, unique among the replicas sharing a store. */
      owner?: string;
      /** How long a job claim lasts before another replica may run the job (ms). */
      claimLeaseMs?: number;
      /** Seen platform event ids are kept this long (ms), then purged once an hour. */
      seenKeepMs?: number;
      /** The curator's loop: unanswered questions purged daily, and the weekly digest. */
      curation?: {
        recorder?: Pick<UnansweredRecorder, 'purge'>;
        digest?: Pick<CuratorDigest, 'tick'>;
      };
    },
  ) {}

  /** Runs every due job once; resolves with how many were completed. */
  tick(): Promise<number> {
    // One tick at a time, so a slow delivery never runs a job twice.
    this.running ??= this.runDue().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runDue(): Promise<number> {
    const now = this.deps.clock.now().toISOString();
    // Claimed, so a job runs on one replica; the claim's lease outlives a replica that dies.
    const due = await this.deps.store.claimJobs(this.owner, now, this.deps.claimLeaseMs ?? 60_000);
    let done = 0;
    for (const job of due) if (await this.run(job)) done++;
    await this.pruneIdle(now);
    await this.curate(now);
    const { cases } = this.deps;
    if (cases) {
      try {
        await cases.tick();
        // Retention runs once a day.
        const today = now.slice(0, 10);
        if (this.deps.retentionDays && today !== this.lastPurgeDay) {
          this.lastPurgeDay = today;
          await cases.purge(this.deps.retentionDays);
        }
      } catch (err) {
        this.deps.logger.error({ err }, 'case work failed; will retry on the next tick');
      }
    }
    return done;
  }

  private get owner(): string {
    return this.deps.owner ?? `pid-${process.pid}`;
  }

  /** Drops idle conversation state once an hour, so storage is bounded by active users. */
  private async pruneIdle(now: string): Promise<void> {
    const days = this.deps.conversationIdleDays;
    const hour = now.slice(0, 13);
    if (hour === this.lastPruneHour) return;
    this.lastPruneHour = hour;
    // Seen event ids are purged by real time: they guard against a platform's prompt retries.
    const seenBefore = new Date(Date.now() - (this.deps.seenKeepMs ?? 24 * 3600_000)).toISOString();
    await this.deps.store
      .purgeSeen(seenBefore)
      .catch((err: unknown) => this.deps.logger.error({ err }, 'purging seen event ids failed'));
    if (!days) return;
    const before = new Date(Date.parse(now) - days * 24 * 3600_000).toISOString();
    try {
      const dropped = await this.deps.store.pruneConversations(before);
      if (dropped) this.deps.logger.info({ dropped, before }, 'idle conversation state dropped');
    } catch (err) {
      this.deps.logger.error({ err }, 'pruning idle conversation state failed; will retry');
      this.lastPruneHour = '';
    }
  }

  /** Purges old unanswered questions once a day, and sends the weekly curator digest when due. */
  private async curate(now: string): Promise<void> {
    const { recorder, digest } = this.deps.curation ?? {};
    const today = now.slice(0, 10);
    if (recorder && today !== this.lastUnansweredPurgeDay) {
      try {
        await recorder.purge();
        this.lastUnansweredPurgeDay = today;
      } catch (err) {
        this.deps.logger.error({ err }, 'purging unanswered questions failed; will retry');
      }
    }
    try {
      await digest?.tick();
    } catch (err) {
      this.deps.logger.error({ err }, 'curator digest failed; will retry on the next tick');
    }
  }

  private async run(job: ScheduledJob): Promise<boolean> {
    const log = this.deps.logger.child({ job: job.id });
    const notifier = this.deps.notifiers.get(job.user.platform);
    if (!notifier) {
      log.warn({ platform: job.user.platform }, 'no notifier for this platform yet; job kept');
      return false;
    }
    try {
      // The job id is the delivery key: a notifier that keeps keys shows a repeat once.
      const result = await notifier.notify(job.user, [debriefInvite(job.tripId)], {
        key: job.id,
      });
      this.deps.metrics?.debriefInvitation(result.ok);
      if (!result.ok) {
        log.warn({ error: result.error }, 'debrief invitation not delivered; will retry');
        return false;
      }
      await this.deps.store.removeJob(job.id);
      log.info('debrief invitation sent');
      return true;
    } catch (err) {
      this.deps.metrics?.debriefInvitation(false);
      log.error({ err }, 'debrief invitation failed; will retry');
      return false;
    }
  }

  /**
   * Ticks every `intervalMs` until stopped, the first time after `firstTickMs`. A start's first
   * tick (the day's purges, and a curator digest that reviews the whole knowledge) waits that long,
   * so the bot answers its health check and its first questions before it.
   */
  start(intervalMs: number, firstTickMs = 0): void {
    this.timer = setInterval(() => {
      if (!this.stopped) void this.tick();
    }, intervalMs);
    this.timer.unref();
    this.firstTimer = setTimeout(() => {
      if (!this.stopped) void this.tick();
    }, firstTickMs);
    this.firstTimer.unref();
  }

  /**
   * Stops ticking, waits for a tick in progress, then gives up this process's claims on jobs
   * and outbox messages, so another replica takes them at once rather than after the lease.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.firstTimer) clearTimeout(this.firstTimer);
    await this.running;
    await this.deps.store.releaseJobs(this.owner);
    await this.deps.cases?.releaseClaims();
  }
}
