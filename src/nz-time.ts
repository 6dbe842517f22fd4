/**
 * New Zealand time for people and for files: stored instants are UTC ISO strings, but
 * everything the CLI prints or exports shows Pacific/Auckland time, as the chat does.
 */

const ZONE = 'Pacific/Auckland';

// Built once: constructing an Intl formatter is far slower than using one.
const NUMERIC = new Intl.DateTimeFormat('en-US', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'longOffset',
});
const NAMES = new Intl.DateTimeFormat('en-NZ', {
  timeZone: ZONE,
  weekday: 'short',
  month: 'long',
  timeZoneName: 'short',
});

interface Parts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  /** "+13:00" */
  offset: string;
}

function parts(at: Date): Parts {
  const p = Object.fromEntries(NUMERIC.formatToParts(at).map((x) => [x.type, x.value]));
  const offset = String(p.timeZoneName ?? '').replace(/^GMT/, '') || '+00:00';
  return {
    year: p.year ?? '',
    month: p.month ?? '',
    day: p.day ?? '',
    hour: p.hour ?? '',
    minute: p.minute ?? '',
    second: p.second ?? '',
    offset,
  };
}

function names(at: Date): { weekday: string; month: string; zone: string } {
  const p = Object.fromEntries(NAMES.formatToParts(at).map((x) => [x.type, x.value]));
  return { weekday: p.weekday ?? '', month: p.month ?? '', zone: p.timeZoneName ?? '' };
}

const valid = (d: Date) => !Number.isNaN(d.getTime());

/** ISO 8601 in New Zealand time with its offset: "2026-11-27T16:00:00+13:00" (milliseconds kept when not zero). */
export function nzIso(iso: string): string {
  const at = new Date(iso);
  if (!valid(at)) return iso;
  const p = parts(at);
  const ms = at.getUTCMilliseconds();
  const frac = ms ? `.${String(ms).padStart(3, '0')}` : '';
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${frac}${p.offset}`;
}

/** A short, sortable New Zealand time for lists: "2026-11-27 16:00 NZDT". */
export function nzShort(iso: string): string {
  const at = new Date(iso);
  if (!valid(at)) return iso;
  const p = parts(at);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${names(at).zone}`;
}

/** New Zealand time as a person writes it: "Fri 27 November 2026, 4:00 pm NZDT". */
export function nzLong(iso: string): string {
  const at = new Date(iso);
  if (!valid(at)) return iso;
  const p = parts(at);
  const n = names(at);
  const h = Number(p.hour);
  const clock = `${h % 12 || 12}:${p.minute} ${h < 12 ? 'am' : 'pm'}`;
  return `${n.weekday} ${Number(p.day)} ${n.month} ${p.year}, ${clock} ${n.zone}`;
}

const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** A deep copy with every UTC ISO timestamp string rewritten by `nzIso`, for JSON exports. */
export function withNzTimes<T>(value: T): T {
  if (typeof value === 'string') return (UTC_ISO.test(value) ? nzIso(value) : value) as T;
  if (Array.isArray(value)) return value.map(withNzTimes) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNzTimes(v)])) as T;
  return value;
}
