import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AdvisorError, isAdvisorError } from '../../src/errors.js';
import { type CaseStatus, canTransition, hasPending, isFinal } from '../../src/escalation/case.js';
import { loadContacts, roleOf } from '../../src/escalation/contacts.js';
import { nationalHolidays } from '../../src/escalation/holidays.js';
import { addWorkingHours } from '../../src/escalation/working-hours.js';
import { makeCase, note, tempDir } from './helpers.js';

const STATUSES: CaseStatus[] = ['new', 'acknowledged', 'info-requested', 'resolved', 'closed'];
/** The moves the product allows; every other pair must be refused. */
const ALLOWED = new Set([
  'new>acknowledged',
  'new>info-requested',
  'new>resolved',
  'new>closed',
  'acknowledged>info-requested',
  'acknowledged>resolved',
  'acknowledged>closed',
  'info-requested>acknowledged',
  'info-requested>info-requested',
  'info-requested>resolved',
  'info-requested>closed',
]);

describe('case state machine', () => {
  const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));
  it.each(pairs)('%s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(ALLOWED.has(`${from}>${to}`));
  });

  it('covers all 25 pairs, 11 of them allowed', () => {
    expect(pairs).toHaveLength(25);
    expect(pairs.filter(([f, t]) => canTransition(f, t))).toHaveLength(ALLOWED.size);
  });

  it('treats only resolved and closed as final; a final case goes nowhere, not even to itself', () => {
    expect(STATUSES.filter(isFinal)).toEqual(['resolved', 'closed']);
    for (const to of STATUSES) {
      expect(canTransition('resolved', to)).toBe(false);
      expect(canTransition('closed', to)).toBe(false);
    }
    // A contact cannot "re-acknowledge": acknowledging twice is not a move.
    expect(canTransition('acknowledged', 'acknowledged')).toBe(false);
    expect(canTransition('acknowledged', 'new')).toBe(false);
  });

  it('hasPending looks only for pending notifications', () => {
    const c = makeCase(1);
    expect(hasPending(c)).toBe(false);
    c.notifications = [note(c.id, 'sent'), note(c.id, 'failed')];
    expect(hasPending(c)).toBe(false);
    c.notifications.push(note(c.id, 'pending'));
    expect(hasPending(c)).toBe(true);
  });
});

/** The New Zealand wall time of an instant, "Mon 2026-11-30 12:00". */
const nz = (d: Date) =>
  d.toLocaleString('en-NZ', {
    timeZone: 'Pacific/Auckland',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });

describe('addWorkingHours (Mon-Fri 09:00-17:00 NZ time)', () => {
  it('Friday 16:00 + 4h is Monday 12:00', () => {
    // 27 Nov 2026 is a Friday; NZ daylight time is UTC+13.
    const due = addWorkingHours(new Date('2026-11-27T03:00:00Z'), 4, nationalHolidays);
    expect(due.toISOString()).toBe('2026-11-29T23:00:00.000Z');
    expect(nz(due)).toBe('Mon 12:00');
  });

  it('stays within the day when it fits, ending exactly at 17:00 if need be', () => {
    const fri14 = new Date('2026-11-27T01:00:00Z');
    expect(addWorkingHours(fri14, 2, nationalHolidays).toISOString()).toBe(
      '2026-11-27T03:00:00.000Z',
    );
    expect(nz(addWorkingHours(fri14, 3, nationalHolidays))).toBe('Fri 17:00');
    expect(nz(addWorkingHours(fri14, 3.25, nationalHolidays))).toBe('Mon 09:15');
    // A quarter hour (the smallest configurable deadline).
    expect(nz(addWorkingHours(fri14, 0.25, nationalHolidays))).toBe('Fri 14:15');
  });

  it('a weekend start counts from Monday 09:00', () => {
    const sat10 = new Date('2026-11-27T21:00:00Z'); // Saturday 28 Nov, 10:00 NZDT
    expect(nz(sat10)).toBe('Sat 10:00');
    const due = addWorkingHours(sat10, 4, nationalHolidays);
    expect(due.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(nz(due)).toBe('Mon 13:00');
    const sun23 = new Date('2026-11-29T10:00:00Z'); // Sunday 23:00
    expect(nz(addWorkingHours(sun23, 1, nationalHolidays))).toBe('Mon 10:00');
  });

  it('before opening and after closing on a weekday', () => {
    const wed07 = new Date('2026-12-01T18:00:00Z'); // Wednesday 2 Dec 07:00 NZDT
    expect(nz(wed07)).toBe('Wed 07:00');
    expect(nz(addWorkingHours(wed07, 1, nationalHolidays))).toBe('Wed 10:00');
    const wed18 = new Date('2026-12-02T05:00:00Z'); // Wednesday 18:00
    expect(nz(addWorkingHours(wed18, 8, nationalHolidays))).toBe('Thu 17:00');
    expect(nz(addWorkingHours(wed18, 8.5, nationalHolidays))).toBe('Fri 09:30');
  });

  it('across the start of daylight saving (Sunday 27 September 2026)', () => {
    // Friday 25 Sep, 15:00 NZST (UTC+12); two hours that day, two on Monday in NZDT (UTC+13).
    const fri15 = new Date('2026-09-25T03:00:00Z');
    expect(nz(fri15)).toBe('Fri 15:00');
    const due = addWorkingHours(fri15, 4, nationalHolidays);
    expect(due.toISOString()).toBe('2026-09-27T22:00:00.000Z');
    expect(nz(due)).toBe('Mon 11:00');
  });

  it('across the end of daylight saving (Sunday 4 April 2027)', () => {
    // Friday 2 Apr, 13:00 NZDT (UTC+13); four hours then, four on Monday in NZST (UTC+12).
    const fri13 = new Date('2027-04-02T00:00:00Z');
    expect(nz(fri13)).toBe('Fri 13:00');
    const due = addWorkingHours(fri13, 8, nationalHolidays);
    expect(due.toISOString()).toBe('2027-04-05T01:00:00.000Z');
    expect(nz(due)).toBe('Mon 13:00');
  });

  it('a long deadline spans whole working weeks (80 hours = two weeks)', () => {
    const mon09 = new Date('2026-11-29T20:00:00Z'); // Monday 30 Nov 09:00
    expect(addWorkingHours(mon09, 80, nationalHolidays).toISOString()).toBe(
      '2026-12-11T04:00:00.000Z',
    ); // Fri 17:00
  });
});

describe('loadContacts', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  async function file(text: string): Promise<string> {
    const t = await tempDir('sca-contacts-');
    cleanup = t.cleanup;
    const path = join(t.dir, 'contacts.yaml');
    await writeFile(path, text, 'utf8');
    return path;
  }
  async function problem(path: string): Promise<AdvisorError> {
    const err = await loadContacts(path).catch((e: unknown) => e);
    expect(isAdvisorError(err, 'config_invalid'), String(err)).toBe(true);
    return err as AdvisorError;
  }

  it('loads a valid file, with defaults, and tells contacts from others', async () => {
    const path = await file(
      'primary:\n  name: Sam Security\n  web: sec\n  slack: U012ABCDEF\nbackup:\n  name: Bo Backup\n  teams: "29:1abc-def"\n',
    );
    const contacts = await loadContacts(path);
    expect(contacts).toEqual({
      primary: { name: 'Sam Security', web: 'sec', slack: 'U012ABCDEF' },
      backup: { name: 'Bo Backup', teams: '29:1abc-def' },
      ackWorkingHours: 4,
      reminderMinutes: 60,
    });
    expect(roleOf(contacts, { platform: 'web', id: 'sec' })).toBe('primary');
    expect(roleOf(contacts, { platform: 'slack', id: 'U012ABCDEF' })).toBe('primary');
    expect(roleOf(contacts, { platform: 'teams', id: '29:1abc-def' })).toBe('backup');
    // The same id on another platform is someone else.
    expect(roleOf(contacts, { platform: 'slack', id: 'sec' })).toBeUndefined();
    expect(roleOf(contacts, { platform: 'cli', id: 'sec' })).toBeUndefined();
  });

  it('the shipped config/contacts.yaml is valid', async () => {
    const contacts = await loadContacts('config/contacts.yaml');
    expect(contacts.primary.web).toBe('security-contact');
    expect(contacts.backup?.web).toBe('security-backup');
  });

  it('a missing file names the file and how to fix it', async () => {
    const t = await tempDir('sca-contacts-');
    cleanup = t.cleanup;
    const path = join(t.dir, 'nope.yaml');
    const err = await problem(path);
    expect(err.message).toContain(path);
    expect(err.message).toContain('ENOENT');
    expect(err.message).toMatch(/ESCALATION_ENABLED=false/);
  });

  it('a bad Slack id names the file and the field', async () => {
    const path = await file('primary:\n  name: Sam Security\n  slack: bob\n');
    const err = await problem(path);
    expect(err.message).toContain(`${path}, field "primary.slack"`);
    expect(err.message).toMatch(/must be a Slack member id \(U\.\.\.\)/);
  });

  it('a contact with no platform names the file and the contact', async () => {
    const path = await file(
      'primary:\n  name: Sam Security\n  web: sec\nbackup:\n  name: Bo Backup\n',
    );
    const err = await problem(path);
    expect(err.message).toContain(`${path}, field "backup"`);
    expect(err.message).toContain('needs at least one of web, slack or teams');
  });

  it('other problems: unknown keys, out-of-range numbers, bad YAML, no primary', async () => {
    let err = await problem(
      await file('primary:\n  name: Sam\n  web: sec\n  phone: 021 555 0100\nreminderMinutes: 1\n'),
    );
    expect(err.message).toContain('field "primary"');
    expect(err.message).toContain('field "reminderMinutes"');
    err = await problem(await file('primary: [oops\n'));
    expect(err.message).toMatch(/not valid YAML/);
    err = await problem(await file('backup:\n  name: Bo\n  web: b\n'));
    expect(err.message).toContain('field "primary"');
  });
});

describe('contacts must be people', () => {
  it('refuses a Teams channel id as a contact, pointing to TEAMS_NOTIFY_CHANNEL', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadContacts } = await import('../../src/escalation/contacts.js');
    const dir = await mkdtemp(join(tmpdir(), 'sca-teams-contact-'));
    try {
      const file = join(dir, 'contacts.yaml');
      await writeFile(file, 'primary:\n  name: Security team\n  teams: "19:abc@thread.tacv2"\n');
      await expect(loadContacts(file)).rejects.toThrow(
        /field "primary\.teams": must be a Teams user id \(29:\.\.\.\); for a channel, set TEAMS_NOTIFY_CHANNEL instead/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
