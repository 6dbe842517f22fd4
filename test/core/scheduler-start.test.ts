import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { Scheduler } from '../../src/scheduler.js';
import { MemoryStore } from '../../src/storage/index.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A scheduler over a memory store, counting the ticks that reach the store. */
function counted() {
  const store = new MemoryStore();
  let claims = 0;
  const claim = store.claimJobs.bind(store);
  store.claimJobs = (...args) => {
    claims++;
    return claim(...args);
  };
  const scheduler = new Scheduler({
    store,
    clock: fixedClock('2026-11-27T01:00:00Z'),
    logger: silentLogger(),
    notifiers: new Map(),
  });
  return { scheduler, claims: () => claims };
}

describe('the scheduler starts', () => {
  it('runs its first tick after the first delay, then every interval', async () => {
    vi.useFakeTimers();
    const { scheduler, claims } = counted();
    scheduler.start(60_000, 1000);
    await vi.advanceTimersByTimeAsync(999);
    expect(claims()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(claims()).toBe(1);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(claims()).toBe(2);
    await scheduler.stop();
  });

  it('does not tick at all when stopped before the first delay', async () => {
    vi.useFakeTimers();
    const { scheduler, claims } = counted();
    scheduler.start(60_000, 1000);
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(claims()).toBe(0);
  });
});
