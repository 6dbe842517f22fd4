import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AdvisorError, ErrorCode } from '../errors.js';
import { parseYamlText } from '../knowledge/problems.js';
import type { Platform, UserRef } from '../model.js';
import type { ContactRole } from './case.js';

const ContactSchema = z
  .strictObject({
    name: z.string().min(2).max(80),
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
  })
  .refine((c) => c.web || c.slack || c.teams, {
    message: 'needs at least one of web, slack or teams',
  });

/**
 * A curator: looks after the guidance, sees the knowledge console and gets the weekly digest.
 * The platform ids are checked as a contact's are; `email` is for sign-in.
 */
const CuratorSchema = z
  .strictObject({
    name: z.string().min(2).max(80),
    email: z.email('must be an email address').optional(),
    web: ContactSchema.shape.web,
    slack: ContactSchema.shape.slack,
    teams: ContactSchema.shape.teams,
  })
  .refine((c) => c.web || c.slack || c.teams, {
    message: 'needs at least one of web, slack or teams',
  });

/** The contacts file, `config/contacts.yaml`. */
export const ContactsSchema = z.strictObject({
  primary: ContactSchema,
  backup: ContactSchema.optional(),
  ackWorkingHours: z.number().min(0.25).max(80).default(4),
  reminderMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(60),
  /** Curators of the guidance: the knowledge console and the weekly digest. */
  curators: z.array(CuratorSchema).optional(),
});
export type Contacts = z.infer<typeof ContactsSchema>;
export type Contact = z.infer<typeof ContactSchema>;
export type Curator = z.infer<typeof CuratorSchema>;

/** Loads and validates the contacts file. A missing or bad file stops start-up, naming the file and field. */
export async function loadContacts(file: string): Promise<Contacts> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
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
