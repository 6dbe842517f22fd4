import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { MemoryCaseStore } from '../../src/escalation/case-store.js';
import {
  findRegion,
  type HolidayCalendar,
  holidaysFor,
  NO_HOLIDAYS,
  nationalHolidays,
} from '../../src/escalation/holidays.js';
import { CaseService } from '../../src/escalation/service.js';
import { addWorkingHours } from '../../src/escalation/working-hours.js';
import { silentLogger } from '../../src/logger.js';
import { MemoryStore } from '../../src/storage/index.js';
import { FakeNotifier, input, testContacts } from './helpers.js';

/** The New Zealand wall time of an instant, "Tue 29 Dec 12:00". */
const nz = (d: Date | string) =>
  new Date(d)
    .toLocaleString('en-NZ', {
      timeZone: 'Pacific/Auckland',
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    .replaceAll(',', '')
    .replace('Sept', 'Sep');

/** The instant of an NZ wall time given with its offset, e.g. "2026-12-24T16:00+13:00". */
const at = (s: string) => new Date(s);

const dueAfter = (from: string, hours: number, cal: HolidayCalendar = nationalHolidays) =>
  nz(addWorkingHours(at(from), hours, cal));

describe('public holidays from date-holidays', () => {
  it('knows the national days, Mondayised days and Matariki', () => {
    const days = [
      '2026-12-25', // Christmas, a Friday
      '2026-12-28', // Boxing Day (Saturday 26th), Mondayised
      '2027-01-01', // New Year's Day, a Friday
      '2027-01-04', // 2 January (a Saturday), Mondayised
      '2027-06-25', // Matariki 2027
      '2027-12-27', // Christmas (a Saturday), Mondayised
      '2027-12-28', // Boxing Day (a Sunday), Mondayised
    ];
    for (const d of days) expect(nationalHolidays.isHoliday(d), d).toBe(true);
    for (const d of ['2026-12-24', '2026-12-29', '2027-01-05', '2027-07-09', '2027-01-25'])
      expect(nationalHolidays.isHoliday(d), d).toBe(false);
  });

  it('adds a region anniversary day only for that region', () => {
    const wellington = holidaysFor('wellington');
    const auckland = holidaysFor('Auckland');
    expect(wellington.isHoliday('2027-01-25')).toBe(true);
    expect(wellington.isHoliday('2027-02-01')).toBe(false);
    expect(auckland.isHoliday('2027-02-01')).toBe(true);
    expect(auckland.isHoliday('2027-01-25')).toBe(false);
    // South Canterbury keeps Dominion Day (fourth Monday of September) instead of Show Day.
    const timaru = holidaysFor('timaru');
    const canterbury = holidaysFor('canterbury');
    expect(timaru.isHoliday('2027-09-27')).toBe(true);
    expect(timaru.isHoliday('2027-11-12')).toBe(false);
    expect(canterbury.isHoliday('2027-11-12')).toBe(true);
    expect(canterbury.isHoliday('2027-09-27')).toBe(false);
    // Buller keeps Nelson's day, not Westland's.
    expect(holidaysFor('buller').isHoliday('2027-02-01')).toBe(true);
    expect(holidaysFor('buller').isHoliday('2027-11-29')).toBe(false);
    expect(holidaysFor('westland').isHoliday('2027-11-29')).toBe(true);
  });

  it('accepts a region by code, English or Māori name, in any case', () => {
    for (const v of ['wellington', 'WGN', 'Wellington Province', 'te whanga-nui-a-tara'])
      expect(findRegion(v)?.state, v).toBe('WGN');
    expect(findRegion("Hawke's Bay")?.state).toBe('HKB');
    expect(findRegion('hawkes-bay')?.state).toBe('HKB');
    expect(findRegion('Timaru District')).toMatchObject({ state: 'CAN', region: 'Timaru' });
    expect(findRegion('welington')).toBeUndefined();
    // One calendar per region, so the one start-up loads is the one cases use.
    expect(holidaysFor('wellington')).toBe(holidaysFor('WGN'));
    expect(holidaysFor(undefined)).toBe(nationalHolidays);
  });
});

describe('REGION setting', () => {
  it('is optional, and checked against the library list with a clear message', () => {
    expect(loadConfig({}).REGION).toBeUndefined();
    expect(loadConfig({ REGION: 'wellington' }).REGION).toBe('wellington');
    let message = '';
    try {
      loadConfig({ REGION: 'welington' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(
      /REGION: must be a New Zealand region that date-holidays knows: auckland, .*wellington.* \(got "welington"\)/,
    );
  });
});

describe('working hours skip public holidays', () => {
  it('across Christmas 2026: Christmas Friday, Boxing Day Mondayised', () => {
    expect(dueAfter('2026-12-24T16:00+13:00', 4)).toBe('Tue 29 Dec 12:00');
    // Counting Christmas Day as a working day would make it due at noon that day.
    expect(dueAfter('2026-12-24T16:00+13:00', 4, NO_HOLIDAYS)).toBe('Fri 25 Dec 12:00');
  });

  it('across Christmas 2027: both days fall on a weekend and are Mondayised', () => {
    expect(dueAfter('2027-12-24T16:00+13:00', 2)).toBe('Wed 29 Dec 10:00');
  });

  it('across New Year: 1 and 2 January, Mondayised when they fall on a weekend', () => {
    // 2026: Thursday and Friday.
    expect(dueAfter('2025-12-31T16:00+13:00', 2)).toBe('Mon 5 Jan 10:00');
    // 2027: Friday 1st, Saturday 2nd kept on Monday 4th.
    expect(dueAfter('2026-12-31T16:00+13:00', 2)).toBe('Tue 5 Jan 10:00');
  });

  it('across Matariki 2027 (Friday 25 June)', () => {
    expect(dueAfter('2027-06-24T16:00+12:00', 2)).toBe('Mon 28 Jun 10:00');
    // 9 July 2027 is an ordinary Friday: the Act's schedule puts Matariki on 25 June that year.
    expect(dueAfter('2027-07-08T16:00+12:00', 2)).toBe('Fri 9 Jul 10:00');
  });

  it("across a region's anniversary day, and only that region's", () => {
    const friday = '2027-01-22T16:00+13:00';
    expect(dueAfter(friday, 2, holidaysFor('wellington'))).toBe('Tue 26 Jan 10:00');
    expect(dueAfter(friday, 2, holidaysFor('auckland'))).toBe('Mon 25 Jan 10:00');
    expect(dueAfter(friday, 2)).toBe('Mon 25 Jan 10:00');
    expect(dueAfter('2027-01-29T16:00+13:00', 2, holidaysFor('auckland'))).toBe('Tue 2 Feb 10:00');
    expect(dueAfter('2027-09-24T16:00+12:00', 2, holidaysFor('timaru'))).toBe('Tue 28 Sep 10:00');
  });
});

describe('case deadlines and reminders over the holidays (injected clock)', () => {
  it('a case raised on Christmas Eve is due after Boxing Day, and nobody is reminded on a holiday', async () => {
    const clock = fixedClock('2026-12-24T16:00+13:00');
    const notifier = new FakeNotifier();
    const cases = new MemoryCaseStore();
    const service = new CaseService({
      cases,
      store: new MemoryStore(),
      contacts: testContacts({ ackWorkingHours: 4, reminderMinutes: 60 }),
      notifiers: new Map([['web', notifier]]),
      clock,
      logger: silentLogger(),
      holidays: holidaysFor('wellington'),
    });
    const { id } = await service.escalate(input());
    const c = await cases.get(id);
    expect(nz(c?.ackDueAt ?? '')).toBe('Tue 29 Dec 12:00');
    expect(nz(c?.nextReminderAt ?? '')).toBe('Thu 24 Dec 17:00');

    // 17:00 on Christmas Eve: the first reminder, and the next one waits for Tuesday.
    clock.advance(60 * 60_000);
    await service.tick();
    expect(notifier.delivered('sec')).toHaveLength(2);
    expect(nz((await cases.get(id))?.nextReminderAt ?? '')).toBe('Tue 29 Dec 10:00');

    // Christmas Day and the Mondayised Boxing Day pass without a message.
    for (const day of ['2026-12-25T12:00+13:00', '2026-12-28T12:00+13:00']) {
      clock.advance(Date.parse(day) - clock.now().getTime());
      await service.tick();
    }
    expect(notifier.delivered('sec')).toHaveLength(2);
    expect(notifier.delivered('sec-backup')).toHaveLength(0);

    clock.advance(Date.parse('2026-12-29T10:00+13:00') - clock.now().getTime());
    await service.tick();
    expect(notifier.delivered('sec')).toHaveLength(3);
  });
});
