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

/** The calendar day in New Zealand (YYYY-MM-DD), which is what review dates mean. */
export function nzDay(at: Date): string {
  return NZ_DAY.format(at);
}

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
