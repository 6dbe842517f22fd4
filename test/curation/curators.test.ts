import { describe, expect, it } from 'vitest';
import { ContactsSchema } from '../../src/escalation/contacts.js';

const primary = { name: 'Sam Security', web: 'sec' };

describe('curators in the contacts file', () => {
  it('are optional, and take a name, an email and the ids contacts take', () => {
    expect(ContactsSchema.parse({ primary }).curators).toBeUndefined();
    const parsed = ContactsSchema.parse({
      primary,
      curators: [
        { name: 'Cara Curator', email: 'cara@council.govt.nz', slack: 'U0CARA', teams: '29:abc' },
      ],
    });
    expect(parsed.curators?.[0]?.email).toBe('cara@council.govt.nz');
  });

  it.each([
    [
      { name: 'Cara Curator' },
      'needs an email (for web sign-in) or at least one of web, slack or teams',
    ],
    [{ name: 'Cara Curator', slack: 'C0CHANNEL' }, 'must be a Slack member id'],
    [{ name: 'Cara Curator', web: 'cara', email: 'not an email' }, 'must be an email address'],
    [{ name: 'Cara Curator', web: 'cara', role: 'admin' }, 'role'],
  ])('rejects %j with a clear message', (curator, message) => {
    const r = ContactsSchema.safeParse({ primary, curators: [curator] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });
});
