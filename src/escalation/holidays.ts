import { createRequire } from 'node:module';
import { join } from 'node:path';
import type HolidaysLibrary from 'date-holidays';
import { readJson, writeJson } from '../disk-cache.js';
import { BUILD_CACHE } from '../paths.js';

/** Which New Zealand calendar days are public holidays. */
export interface HolidayCalendar {
  /** True when the NZ calendar day (YYYY-MM-DD) is a public holiday. */
  isHoliday(day: string): boolean;
}

/** A calendar with no holidays at all: every weekday counts. */
export const NO_HOLIDAYS: HolidayCalendar = { isHoliday: () => false };

/** A region as date-holidays knows it: a state code (WGN) and, for two districts, a region. */
export interface NzRegion {
  state: string;
  region?: string;
  /** The library's English name, "Wellington Province". */
  name: string;
}

// The CommonJS build loads synchronously and about twice as fast as the ESM one under tsx,
// and it is only loaded when a region is checked or a deadline is first worked out.
const require = createRequire(import.meta.url);

interface StateData {
  /** Most states have names by language; a few have one English `name`. */
  names?: Record<string, string>;
  name?: string;
  days?: Record<string, unknown>;
  regions?: Record<string, { name: string; days: Record<string, unknown> }>;
}

function nzData(): Record<string, StateData> {
  const { data } = require('date-holidays/data') as {
    data: { holidays: { NZ: { states: Record<string, StateData> } } };
  };
  return data.holidays.NZ.states;
}

/** "Hawke's Bay" -> "hawkes-bay", "Manawatū" -> "manawatu". */
function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/['’]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

let regionTable: Map<string, NzRegion> | undefined;
let regionNames: string[] = [];

/**
 * Every name a region may be given in `REGION`, from the library's own list: its code (WGN),
 * its English and Māori names with or without "Province" or "District" (wellington,
 * te-whanga-nui-a-tara), and the two districts with a day of their own (timaru, buller).
 */
function regions(): Map<string, NzRegion> {
  if (regionTable) return regionTable;
  const table = new Map<string, NzRegion>();
  const names: string[] = [];
  const add = (aliases: string[], r: NzRegion) => {
    for (const a of aliases) {
      const key = slug(a);
      if (key && !table.has(key)) table.set(key, r);
      const short = key.replace(/-(province|district)$/, '');
      if (short && !table.has(short)) table.set(short, r);
    }
  };
  for (const [state, s] of Object.entries(nzData())) {
    const all = s.names ?? (s.name ? { en: s.name } : {});
    const name = all.en ?? state;
    const r = { state, name };
    add([state, ...Object.values(all)], r);
    names.push(slug(name).replace(/-province$/, ''));
    for (const [region, sub] of Object.entries(s.regions ?? {})) {
      const d = { state, region, name: sub.name };
      add([`${state}-${region}`, region, sub.name], d);
      names.push(slug(region));
    }
  }
  regionTable = table;
  regionNames = names.sort();
  return table;
}

/** The region a `REGION` value names, or undefined. Case, spaces, macrons and apostrophes don't matter. */
export function findRegion(value: string): NzRegion | undefined {
  return regions().get(slug(value));
}

/** The names `REGION` accepts, one per region, for error messages. */
export function regionList(): string[] {
  regions();
  return regionNames;
}

type HolidaysCtor = typeof HolidaysLibrary;

/**
 * National public holidays (Mondayised days and Matariki included) and, with a region, its
 * anniversary day, from the date-holidays library. The library is loaded on first use.
 */
export function nzHolidays(
  region?: NzRegion,
): HolidayCalendar & { warm(year: number): void; daysIn(year: number): ReadonlySet<string> } {
  let lib: HolidaysLibrary | undefined;
  const years = new Map<number, Set<string>>();
  const key = calendarKey(region);
  const library = (): HolidaysLibrary => {
    if (lib) return lib;
    const Holidays = require('date-holidays') as HolidaysCtor;
    const h = new Holidays('NZ', region?.state ?? '', { types: ['public'] });
    if (region?.region) {
      // date-holidays 3.37 upper-cases region codes, so its mixed-case district keys
      // ("Timaru", "Buller") are never matched. Apply the district's own rules from the
      // library's data instead: its anniversary day replaces the province's.
      const days = nzData()[region.state]?.regions?.[region.region]?.days ?? {};
      for (const [rule, day] of Object.entries(days)) {
        if (day === false) h.unsetRule(rule);
        else h.setHoliday(rule, { ...(day as object), type: 'public' } as never);
      }
    }
    lib = h;
    return h;
  };
  const daysOf = (year: number): Set<string> => {
    let set = years.get(year);
    if (!set) {
      set = new Set(
        preparedDays(key, year) ??
          library()
            .getHolidays(year)
            .filter((d) => d.type === 'public')
            .map((d) => d.date.slice(0, 10)),
      );
      years.set(year, set);
    }
    return set;
  };
  return {
    isHoliday: (day) => daysOf(Number(day.slice(0, 4))).has(day),
    warm: (year) => void daysOf(year),
    daysIn: (year) => daysOf(year),
  };
}

/** New Zealand's national public holidays, with no regional anniversary day. */
export const nationalHolidays = nzHolidays();

const byRegion = new Map<string, ReturnType<typeof nzHolidays>>();

/** The calendar for a validated `REGION` setting, one per region: national holidays alone when it is unset. */
export function holidaysFor(
  region: string | undefined,
): HolidayCalendar & { warm(year: number): void } {
  if (!region) return nationalHolidays;
  const found = findRegion(region);
  if (!found) throw new Error(`unknown region "${region}"`);
  const key = `${found.state}/${found.region ?? ''}`;
  let calendar = byRegion.get(key);
  if (!calendar) {
    calendar = nzHolidays(found);
    byRegion.set(key, calendar);
  }
  return calendar;
}

/** The key of a calendar in the prepared file: "" for national holidays, else "WGN" or "CAN/Timaru". */
function calendarKey(region?: NzRegion): string {
  return region ? `${region.state}${region.region ? `/${region.region}` : ''}` : '';
}

/** Years the build works out ahead, from last year on. */
const PREPARED_YEARS = 12;
const PREPARED_FILE = 'holidays.json';

interface Prepared {
  /** The date-holidays version the days came from: another version's file is not used. */
  version: string;
  calendars: Record<string, Record<string, string[]>>;
}

let prepared: Prepared['calendars'] | null | undefined;

function libraryVersion(): string {
  return (require('date-holidays/package.json') as { version: string }).version;
}

/**
 * The public holidays the build worked out for this calendar and year, if it did. The library
 * and its data for every country take about 15 MB and a tenth of a second to load; a bot whose
 * cases fall within the prepared years never loads them.
 */
function preparedDays(key: string, year: number): string[] | undefined {
  if (prepared === undefined) prepared = readPrepared(BUILD_CACHE) ?? null;
  const days = prepared?.[key]?.[String(year)];
  return Array.isArray(days) && days.every((d) => typeof d === 'string') ? days : undefined;
}

/** The calendars prepared in `dir` by this version of the library, or undefined. */
export function readPrepared(dir: string): Prepared['calendars'] | undefined {
  const file = readJson(join(dir, PREPARED_FILE)) as Prepared | undefined;
  if (!file || file.version !== libraryVersion() || typeof file.calendars !== 'object') return;
  return file.calendars ?? undefined;
}

/**
 * Works out the public holidays of every calendar (national, and each region) for last year and
 * the next eleven, into `dir` (run by the build; see src/warm-cache.ts).
 */
export function prepareHolidays(dir: string, fromYear: number): void {
  const calendars: Prepared['calendars'] = {};
  prepared = null; // Worked out by the library, never copied from an earlier file.
  const all: (NzRegion | undefined)[] = [undefined, ...new Set(regions().values())];
  for (const region of all) {
    const calendar = nzHolidays(region);
    const days: Record<string, string[]> = {};
    for (let year = fromYear - 1; year < fromYear - 1 + PREPARED_YEARS; year++) {
      days[String(year)] = [...calendar.daysIn(year)];
    }
    calendars[calendarKey(region)] = days;
  }
  writeJson(join(dir, PREPARED_FILE), { version: libraryVersion(), calendars } satisfies Prepared);
}
