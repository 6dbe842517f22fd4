import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AdvisorError, ErrorCode } from '../errors.js';
import { parseYamlText } from '../knowledge/problems.js';
import type { Platform, UserRef } from '../model.js';
import type { ContactRole } from './case.js';

const email = z
  .string()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address')
  .optional();

/** How a person is reached on each platform, shared by contacts and curators. */
const PersonShape = {
  name: z.string().min(2).max(80),
  /** The email address they sign in to the web surface with (matched without regard to case). */
  email,
  web: z
    .string()
    .regex(/^[A-Za-z0-9._@:-]{1,128}$/, 'must be a web chat user id')
    .optional(),
  // A member id, so the contact's own button presses can be authorised; posting to a channel
  // is SLACK_NOTIFY_CHANNEL's job.
  slack: z
    .string()
    .regex(
      /^[UW][A-Z0-9]{2,}$/,
      'must be a Slack member id (U...); for a channel, set SLACK_NOTIFY_CHANNEL instead',
    )
    .optional(),
  // A person (29:... or an Entra object id), so their presses can be authorised; channels
  // (19:...) go in TEAMS_NOTIFY_CHANNEL.
  teams: z
    .string()
    .min(3)
    .max(300)
    .refine(
      (v) => !v.startsWith('19:'),
      'must be a Teams user id (29:...); for a channel, set TEAMS_NOTIFY_CHANNEL instead',
    )
    .optional(),
};

const ContactSchema = z
  .strictObject(PersonShape)
  .refine((c) => c.web || c.slack || c.teams, {
    message: 'needs at least one of web, slack or teams',
  })
  // Signed in on the web, a contact acts under their web id, so cases find them as before.
  .refine((c) => !c.email || c.web, {
    message:
      'has an email for web sign-in, so it needs a web id too (e.g. web: security-contact): signed in, the contact acts and is notified under that id',
  });

/**
 * A curator: looks after the guidance, sees the knowledge console (signed in by email, or by web
 * id in local mode) and gets the weekly digest on the platforms they have an id for.
 */
const CuratorSchema = z
  .strictObject(PersonShape)
  .refine((c) => c.email || c.web || c.slack || c.teams, {
    message: 'needs an email (for web sign-in) or at least one of web, slack or teams',
  });

/** The contacts file, `config/contacts.yaml`. */
export const ContactsSchema = z.strictObject({
  primary: ContactSchema,
  backup: ContactSchema.optional(),
  /** Curators of the guidance: by email for web sign-in, by id on each platform for the digest. */
  curators: z.array(CuratorSchema).max(50).optional(),
  ackWorkingHours: z.number().min(0.25).max(80).default(4),
  reminderMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(60),
});
export type Contacts = z.infer<typeof ContactsSchema>;
export type Contact = z.infer<typeof ContactSchema>;
export type Curator = z.infer<typeof CuratorSchema>;

/** Loads and validates the contacts file. A missing or bad file stops start-up, naming the file and field. */
export async function loadContacts(file: string): Promise<Contacts> {
  let text: string;
  try {
    // Read at start-up, so synchronously (see readKnowledge).
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AdvisorError(
      ErrorCode.ConfigInvalid,
      `Escalation is on, but the security contacts file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Create it (see config/contacts.yaml), set CONTACTS_FILE, or set ESCALATION_ENABLED=false.`,
    );
  }
  let data: unknown;
  try {
    data = parseYamlText(text);
  } catch (err) {
    throw new AdvisorError(
      ErrorCode.ConfigInvalid,
      `${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const parsed = ContactsSchema.safeParse(data);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  - ${file}, field "${i.path.join('.') || '(top)'}": ${i.message}`,
    );
    throw new AdvisorError(
      ErrorCode.ConfigInvalid,
      `The security contacts file has problems:\n${lines.join('\n')}`,
    );
  }
  return parsed.data;
}

/** The user refs a contact (or a curator) can be reached at, one per platform. */
export function contactRefs(contact: Contact | Curator): UserRef[] {
  const refs: UserRef[] = [];
  for (const platform of ['web', 'slack', 'teams'] as const) {
    const id = contact[platform];
    if (id) refs.push({ platform, id, name: contact.name });
  }
  return refs;
}

/** Which contact role (if any) a user is. */
export function roleOf(
  contacts: Contacts,
  user: { platform: Platform; id: string },
): ContactRole | undefined {
  const is = (c: Contact | undefined) =>
    c !== undefined && user.platform !== 'cli' && c[user.platform] === user.id;
  if (is(contacts.primary)) return 'primary';
  if (is(contacts.backup)) return 'backup';
  return undefined;
}

const sameEmail = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The contact a signed-in web user is, by their verified email or by a web id equal to their
 * signed-in id. The web surface then uses the contact's web id as the user's id, so `roleOf`,
 * notifications and audit entries treat them exactly as that contact.
 */
export function contactForSignIn(
  contacts: Contacts,
  who: { id: string; email?: string },
): Contact | undefined {
  return [contacts.primary, contacts.backup].find(
    (c): c is Contact => c !== undefined && (sameEmail(c.email, who.email) || c.web === who.id),
  );
}

/** True when a user is a curator: by verified email on the web, or by id on their platform. */
export function isCurator(
  contacts: Contacts,
  who: { platform: Platform; id: string; email?: string },
): boolean {
  return (contacts.curators ?? []).some(
    (c) =>
      (who.platform === 'web' && sameEmail(c.email, who.email)) ||
      (who.platform !== 'cli' && c[who.platform] === who.id),
  );
}
