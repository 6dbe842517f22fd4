/** Contacts and curators named by email, and how a signed-in person maps to them. */
import { describe, expect, it } from 'vitest';
import { resolveLocal, resolveSignedIn } from '../../adapters/web/auth/people.js';
import { ContactsSchema, roleOf } from '../../src/escalation/contacts.js';
import { filterCases } from '../../src/escalation/filter.js';
import { nationalHolidays } from '../../src/escalation/holidays.js';
import { addWorkingHours, workingHoursBetween } from '../../src/escalation/working-hours.js';

const contacts = ContactsSchema.parse({
  primary: { name: 'Sam Security', email: 'Sam@Council.govt.nz', web: 'security-contact' },
  backup: { name: 'Bo Backup', web: 'oid-bo' },
  curators: [{ name: 'Casey Curator', email: 'casey@council.govt.nz', slack: 'U123ABC' }],
});

describe('contacts and curators for sign-in', () => {
  it('maps a contact signed in by email (any case) to their web id, which roleOf knows', () => {
    const r = resolveSignedIn(contacts, { sub: 'oid-sam', email: 'sam@COUNCIL.govt.nz' });
    expect(r).toMatchObject({ id: 'security-contact', name: 'Sam Security' });
    expect([...r.roles]).toEqual(['contact']);
    expect(roleOf(contacts, { platform: 'web', id: r.id })).toBe('primary');
  });

  it('matches a contact whose web id is their oid, without an email', () => {
    const r = resolveSignedIn(contacts, { sub: 'oid-bo' });
    expect(r.id).toBe('oid-bo');
    expect(roleOf(contacts, { platform: 'web', id: r.id })).toBe('backup');
  });

  it('gives everyone else their own id and no role; curators the curator role', () => {
    expect(resolveSignedIn(contacts, { sub: 'oid-x', email: 'x@council.govt.nz' })).toMatchObject({
      id: 'oid-x',
    });
    expect([
      ...resolveSignedIn(contacts, { sub: 'oid-c', email: 'CASEY@council.govt.nz' }).roles,
    ]).toEqual(['curator']);
    expect([...resolveLocal(contacts, 'local-curator').roles]).toEqual(['curator']);
    expect([...resolveLocal(contacts, 'security-contact').roles]).toEqual(['contact']);
    expect([...resolveLocal(contacts, 'web-abc').roles]).toEqual([]);
  });

  it('refuses a contact with an email but no web id, and a curator with no way to reach them', () => {
    const bad = ContactsSchema.safeParse({
      primary: { name: 'Sam Security', email: 'sam@council.govt.nz', slack: 'U123ABC' },
      curators: [{ name: 'Nobody' }],
    });
    expect(bad.success).toBe(false);
    const messages = bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(messages.join('\n')).toMatch(
      /primary: has an email for web sign-in, so it needs a web id too/,
    );
    expect(messages.join('\n')).toMatch(/curators.0: needs an email/);
  });
});

describe('working hours between two times', () => {
  it('is the inverse of addWorkingHours, and negative once a deadline has passed', () => {
    const from = new Date('2026-11-27T01:00:00Z'); // Friday 14:00 in Auckland
    for (const h of [0.5, 3, 4, 11, 40]) {
      const due = addWorkingHours(from, h, nationalHolidays);
      expect(workingHoursBetween(from, due, nationalHolidays)).toBeCloseTo(h, 6);
      expect(workingHoursBetween(due, from, nationalHolidays)).toBeCloseTo(-h, 6);
    }
    // Saturday to Sunday: no working time at all.
    expect(
      workingHoursBetween(
        new Date('2026-11-27T21:00:00Z'),
        new Date('2026-11-29T03:00:00Z'),
        nationalHolidays,
      ),
    ).toBe(0);
  });
});

describe('case filters', () => {
  const base = {
    reporter: { platform: 'web' as const, id: 'r' },
    summary: '',
    flags: [],
    answers: [],
    assignedTo: 'primary' as const,
    ackDueAt: '',
    remindersSent: 0,
    history: [],
    notifications: [],
  };
  const cases = [
    {
      ...base,
      id: 'SC-2026-0001',
      raisedAt: '2026-11-26T20:00:00Z',
      source: 'report' as const,
      status: 'new' as const,
    },
    {
      ...base,
      id: 'SC-2026-0002',
      raisedAt: '2026-11-27T01:00:00Z',
      source: 'question' as const,
      status: 'resolved' as const,
    },
  ];
  it('keeps open cases by default, and filters by status, kind and NZ day', () => {
    expect(filterCases(cases, {}).map((c) => c.id)).toEqual(['SC-2026-0001']);
    expect(filterCases(cases, { status: 'all' }).length).toBe(2);
    expect(filterCases(cases, { status: 'resolved' }).map((c) => c.id)).toEqual(['SC-2026-0002']);
    expect(filterCases(cases, { status: 'all', source: 'question' }).length).toBe(1);
    // 20:00 UTC on the 26th is the 27th in Auckland.
    expect(filterCases(cases, { status: 'all', from: '2026-11-27', to: '2026-11-27' }).length).toBe(
      2,
    );
    expect(filterCases(cases, { status: 'all', to: '2026-11-26' }).length).toBe(0);
  });
});
