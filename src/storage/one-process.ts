import { KeyedQueue, SeenKeys } from './serial.js';
import type { ScheduledJob, Store } from './types.js';

/**
 * The part of a Store that coordinates processes, for a store that one process owns (the file
 * and memory stores): claims, locks and seen keys live in memory, and every due job is this
 * process's to run. The PostgreSQL store does this across processes instead.
 */
export abstract class OneProcessStore
  implements Pick<Store, 'claimJobs' | 'releaseJobs' | 'exclusive' | 'firstSeen' | 'purgeSeen'>
{
  private readonly locks = new KeyedQueue();
  private readonly seen = new SeenKeys();

  abstract listJobs(): Promise<ScheduledJob[]>;

  async claimJobs(_owner: string, now: string): Promise<ScheduledJob[]> {
    // Oldest first, as the PostgreSQL store returns them.
    return (await this.listJobs())
      .filter((j) => j.dueAt <= now)
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id));
  }

  async releaseJobs(): Promise<void> {}

  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn);
  }

  async firstSeen(key: string): Promise<boolean> {
    return this.seen.first(key);
  }

  /** Seen keys are forgotten by age of arrival (past a count), not by date: nothing to purge. */
  async purgeSeen(): Promise<number> {
    return 0;
  }
}
