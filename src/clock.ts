import { readFileSync } from 'node:fs';

/** The time source, injected so tests about time never sleep. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock for tests that moves only when told to. */
export function fixedClock(start: Date | string): Clock & { advance(ms: number): void } {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

/**
 * A clock read from a file holding an ISO time, for tests that run several processes on one
 * fake clock. The file is re-read at most every `everyMs`; a missing or bad file is an error.
 */
export function fileClock(file: string, everyMs = 100): Clock {
  let readAt = 0;
  let value = new Date(Number.NaN);
  return {
    now() {
      if (Date.now() - readAt >= everyMs) {
        const text = readFileSync(file, 'utf8').trim();
        const at = new Date(text);
        if (Number.isNaN(at.getTime()))
          throw new Error(`${file} does not hold an ISO time: ${text}`);
        value = at;
        readAt = Date.now();
      }
      return new Date(value);
    },
  };
}

/** The calendar day in New Zealand (YYYY-MM-DD), which is what review dates mean. */
export function nzDay(at: Date): string {
  // Formatting takes tens of microseconds and every answer asks; New Zealand's offsets are whole
  // hours, so the day cannot change within a minute.
  const minute = Math.floor(at.getTime() / 60_000);
  if (minute !== lastDay.minute) lastDay = { minute, day: NZ_DAY.format(at) };
  return lastDay.day;
}

let lastDay = { minute: Number.NaN, day: '' };

// Built once: constructing an Intl formatter is far slower than using one.
const NZ_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Pacific/Auckland',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Formats YYYY, YYYY-MM or YYYY-MM-DD the NZ way: "2024", "October 2024", "8 October 2024". */
export function formatDate(date: string): string {
  const [y, m, d] = date.split('-');
  if (!y || !/^\d{4}$/.test(y)) return date;
  const month = m ? MONTHS[Number(m) - 1] : undefined;
  if (!month) return y;
  return d ? `${Number(d)} ${month} ${y}` : `${month} ${y}`;
}
