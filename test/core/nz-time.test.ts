import { describe, expect, it } from 'vitest';
import { NameBook } from '../../src/escalation/names.js';
import { nzIso, nzLong, nzShort, withNzTimes } from '../../src/nz-time.js';
import { makeCase, note } from '../escalation/helpers.js';

describe('New Zealand time for the CLI and exports', () => {
  it('writes ISO 8601 with the offset in force, daylight or standard', () => {
    expect(nzIso('2026-11-27T03:00:00.000Z')).toBe('2026-11-27T16:00:00+13:00');
    expect(nzIso('2026-06-30T23:30:05.250Z')).toBe('2026-07-01T11:30:05.250+12:00');
    // The hour that repeats when daylight time ends (Sunday 5 April 2026, 3 am back to 2 am).
    expect(nzIso('2026-04-04T13:30:00Z')).toBe('2026-04-05T02:30:00+13:00');
    expect(nzIso('2026-04-04T14:30:00Z')).toBe('2026-04-05T02:30:00+12:00');
    expect(nzIso('not a time')).toBe('not a time');
  });

  it('writes times for people, short for lists and long for one case', () => {
    expect(nzShort('2026-11-27T03:00:00Z')).toBe('2026-11-27 16:00 NZDT');
    expect(nzShort('2026-07-01T00:05:00Z')).toBe('2026-07-01 12:05 NZST');
    expect(nzLong('2026-11-27T03:00:00Z')).toBe('Fri 27 November 2026, 4:00 pm NZDT');
    expect(nzLong('2026-11-26T11:00:00Z')).toBe('Fri 27 November 2026, 12:00 am NZDT');
    expect(nzLong('2026-11-26T23:15:00Z')).toBe('Fri 27 November 2026, 12:15 pm NZDT');
  });

  it('rewrites every UTC timestamp in a JSON value, and nothing else', () => {
    const value = {
      at: '2026-11-27T03:00:00.000Z',
      list: [{ sentAt: '2026-11-27T03:00:00Z' }],
      text: 'said 2026-11-27T03:00:00Z in passing',
      day: '2026-11-27',
      n: 3,
      none: null,
    };
    expect(withNzTimes(value)).toEqual({
      at: '2026-11-27T16:00:00+13:00',
      list: [{ sentAt: '2026-11-27T16:00:00+13:00' }],
      text: 'said 2026-11-27T03:00:00Z in passing',
      day: '2026-11-27',
      n: 3,
      none: null,
    });
  });
});

describe('NameBook', () => {
  const contacts = {
    primary: { name: 'Sam Security', web: 'security-contact', slack: 'U0SAM' },
    backup: { name: 'Bo Backup', teams: '29:bo' },
    ackWorkingHours: 4,
    reminderMinutes: 60,
  };

  it('names people from the cases first, then the contacts file, else shows the key', () => {
    const c = makeCase(1, {
      reporter: { platform: 'slack', workspace: 'T1', id: 'U0AROHA', name: 'Aroha Te Wai' },
      notifications: [
        note('SC-2026-0001', 'sent', {
          to: 'primary',
          user: { platform: 'web', id: 'security-contact', name: 'Sam S.' },
        }),
      ],
    });
    const names = new NameBook([c], contacts);
    expect(names.label('slack:T1:U0AROHA')).toBe('Aroha Te Wai (slack)');
    expect(names.label('web:-:security-contact')).toBe('Sam S. (web)');
    // The contacts file has no workspace; a Slack key from any workspace matches the member id.
    expect(names.label('slack:T1:U0SAM')).toBe('Sam Security (slack)');
    expect(names.label('teams:tenant-1:29:bo')).toBe('Bo Backup (teams)');
    expect(names.label('web:-:stranger')).toBe('web:-:stranger');
    expect(names.label('system')).toBe('system');
    expect(names.label('cli')).toBe('cli');
    expect(new NameBook().label('web:-:security-contact')).toBe('web:-:security-contact');
  });
});
