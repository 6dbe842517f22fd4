import { describe, expect, it } from 'vitest';
import { nzDay } from '../../src/clock.js';

describe('the New Zealand day', () => {
  it('turns over at midnight in New Zealand, not at midnight UTC, in summer and in winter', () => {
    // NZDT is UTC+13: 10:59 and 11:00 UTC fall either side of midnight in Auckland.
    expect(nzDay(new Date('2026-12-01T10:59:59.999Z'))).toBe('2026-12-01');
    expect(nzDay(new Date('2026-12-01T11:00:00.000Z'))).toBe('2026-12-02');
    // The same minute asked again, then the minute before: remembered days are not reused wrongly.
    expect(nzDay(new Date('2026-12-01T11:00:30.000Z'))).toBe('2026-12-02');
    expect(nzDay(new Date('2026-12-01T10:59:30.000Z'))).toBe('2026-12-01');
    // NZST is UTC+12.
    expect(nzDay(new Date('2026-07-01T11:59:00.000Z'))).toBe('2026-07-01');
    expect(nzDay(new Date('2026-07-01T12:00:00.000Z'))).toBe('2026-07-02');
  });

  it('refuses a date that is not a time', () => {
    expect(() => nzDay(new Date('not a date'))).toThrow(RangeError);
  });
});
