import type { UserRef } from '../model.js';
import { userKey } from '../storage/index.js';
import type { Case } from './case.js';
import { type Contacts, contactRefs } from './contacts.js';

/**
 * Readable names for the user keys that cases and the audit log record
 * ("web:-:security-contact" becomes "Sam Security (web)"). A name recorded in the cases wins;
 * then the contacts file; a key nobody named is shown as it is.
 */
export class NameBook {
  /** By user key, from the cases. */
  private readonly recorded = new Map<string, string>();
  /** By "platform:id", from the contacts file (it has no workspace). */
  private readonly contacts = new Map<string, string>();

  constructor(cases: Case[] = [], contacts?: Contacts) {
    const note = (u: UserRef) => {
      if (u.name) this.recorded.set(userKey(u), u.name);
    };
    // Oldest first, so the latest name a person went by wins.
    for (const c of cases) {
      note(c.reporter);
      for (const n of c.notifications) note(n.user);
    }
    for (const contact of [contacts?.primary, contacts?.backup])
      if (contact)
        for (const ref of contactRefs(contact))
          this.contacts.set(`${ref.platform}:${ref.id}`, contact.name);
  }

  /** The person's name and platform, "Sam Security (web)"; "system", "cli" and unknown keys unchanged. */
  label(key: string | undefined): string {
    if (!key) return '';
    const [platform, workspace, ...rest] = key.split(':');
    const id = rest.join(':');
    if (!platform || workspace === undefined || !id) return key;
    const name = this.recorded.get(key) ?? this.contacts.get(`${platform}:${id}`);
    return name ? `${name} (${platform})` : key;
  }

  /** A user's label from a reference, preferring the name it carries. */
  labelOf(user: UserRef): string {
    return user.name ? `${user.name} (${user.platform})` : this.label(userKey(user));
  }
}
