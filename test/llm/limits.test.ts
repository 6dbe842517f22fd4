import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { CircuitBreaker, RateLimiter } from '../../src/llm/index.js';

describe('RateLimiter', () => {
  it('slides: a slot frees 60 s after the call that used it, not at a minute boundary', () => {
    const clock = fixedClock('2026-11-27T00:00:50Z');
    const limiter = new RateLimiter(2, clock);
    expect(limiter.take('u')).toBe(true);
    clock.advance(20_000);
    expect(limiter.take('u')).toBe(true);
    expect(limiter.take('u')).toBe(false);
    clock.advance(39_999);
    expect(limiter.take('u')).toBe(false);
    clock.advance(1);
    expect(limiter.take('u')).toBe(true);
    expect(limiter.take('u')).toBe(false);
  });

  it('keeps users apart', () => {
    const limiter = new RateLimiter(1, fixedClock('2026-11-27T00:00:00Z'));
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('b')).toBe(true);
    expect(limiter.take('a')).toBe(false);
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold, lets one trial through after the cool-down, and reopens on failure', () => {
    const clock = fixedClock('2026-11-27T00:00:00Z');
    const breaker = new CircuitBreaker(3, 60_000, clock);
    breaker.failure();
    breaker.failure();
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state()).toBe('open');
    expect(breaker.allow()).toBe(false);
    clock.advance(60_000);
    expect(breaker.state()).toBe('half-open');
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    breaker.failure();
    expect(breaker.state()).toBe('open');
    clock.advance(60_000);
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state()).toBe('closed');
    expect(breaker.allow()).toBe(true);
  });

  it('a success resets the run of failures', () => {
    const breaker = new CircuitBreaker(3, 60_000, fixedClock('2026-11-27T00:00:00Z'));
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state()).toBe('closed');
  });
});
