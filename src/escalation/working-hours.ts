import { nzWallTime } from '../checklist/time.js';
import { nzDay } from '../clock.js';
import type { HolidayCalendar } from './holidays.js';

const START = 9;
const END = 17;

function weekday(day: string): number {
  return new Date(`${day}T12:00:00Z`).getUTCDay();
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * The instant `hours` working hours after `from`, counting Monday to Friday, 09:00 to 17:00
 * New Zealand time, and skipping the days `holidays` names.
 */
export function addWorkingHours(from: Date, hours: number, holidays: HolidayCalendar): Date {
  let remaining = hours * 3600_000;
  let day = nzDay(from);
  let cursor = from.getTime();
  for (let guard = 0; guard < 3660; guard++) {
    const wd = weekday(day);
    if (wd !== 0 && wd !== 6 && !holidays.isHoliday(day)) {
      const open = nzWallTime(day, START).getTime();
      const close = nzWallTime(day, END).getTime();
      const start = Math.max(cursor, open);
      if (start < close) {
        if (start + remaining <= close) return new Date(start + remaining);
        remaining -= close - start;
      }
    }
    day = addDays(day, 1);
    cursor = nzWallTime(day, 0).getTime();
  }
  return new Date(cursor);
}

/**
 * Working hours from `from` to `to` (as `addWorkingHours` counts them); negative when `to` is
 * earlier, so an overdue deadline reads as how many working hours ago it passed.
 */
export function workingHoursBetween(from: Date, to: Date, holidays: HolidayCalendar): number {
  if (to < from) return -workingHoursBetween(to, from, holidays);
  let ms = 0;
  let day = nzDay(from);
  const end = to.getTime();
  for (let guard = 0; guard < 3660 && nzWallTime(day, 0).getTime() <= end; guard++) {
    const wd = weekday(day);
    if (wd !== 0 && wd !== 6 && !holidays.isHoliday(day)) {
      const open = Math.max(nzWallTime(day, START).getTime(), from.getTime());
      const close = Math.min(nzWallTime(day, END).getTime(), end);
      if (close > open) ms += close - open;
    }
    day = addDays(day, 1);
  }
  return ms / 3600_000;
}
