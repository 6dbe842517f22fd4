import type { Clock } from '../clock.js';

const WINDOW_MS = 60_000;

/** A per-user sliding-window limit: at most `limit` calls in any 60 s, by the injected clock. */
export class RateLimiter {
  private readonly calls = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
  ) {}

  /** Records a call for `key` and returns true, or returns false when the window is full. */
  take(key: string): boolean {
    const now = this.clock.now().getTime();
    const recent = (this.calls.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
    if (recent.length >= this.limit) {
      this.calls.set(key, recent);
      return false;
    }
    recent.push(now);
    this.calls.set(key, recent);
    // Users come and go; sweep idle ones now and then so the map cannot grow without bound.
    if (this.calls.size > 1000) this.sweep(now);
    return true;
  }

  private sweep(now: number): void {
    for (const [key, times] of this.calls) {
      if (!times.some((t) => t > now - WINDOW_MS)) this.calls.delete(key);
    }
  }
}

/** The breaker's state, for logs and tests. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Stops calling a failing model for a while. After `threshold` failures in a row the circuit
 * opens for `coolDownMs`; then one trial call is let through, and its result closes or reopens it.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private trialInFlight = false;

  constructor(
    private readonly threshold: number,
    private readonly coolDownMs: number,
    private readonly clock: Clock,
  ) {}

  /** The state now. */
  state(): BreakerState {
    if (this.failures < this.threshold) return 'closed';
    return this.clock.now().getTime() < this.openUntil ? 'open' : 'half-open';
  }

  /** True when a call may go ahead; in half-open state only one trial goes at a time. */
  allow(): boolean {
    const state = this.state();
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Records a call that reached a working model. */
  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
  }

  /** Records a failed call; the threshold-th failure in a row opens the circuit. */
  failure(): void {
    this.failures += 1;
    this.trialInFlight = false;
    if (this.failures >= this.threshold)
      this.openUntil = this.clock.now().getTime() + this.coolDownMs;
  }

  /** Records a call that ended without telling us anything about the model (a caller's abort). */
  release(): void {
    this.trialInFlight = false;
  }
}
