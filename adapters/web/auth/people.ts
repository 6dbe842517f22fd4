import {
  type Contacts,
  contactForSignIn,
  isCurator,
  roleOf,
} from '../../../src/escalation/contacts.js';
import type { WebRole } from '../access.js';

/** The local role picker's curator choice; a curator console is open to it in local mode. */
export const LOCAL_CURATOR_ID = 'local-curator';

/** Who a person is on the web surface: the core's id for them, and their roles. */
export interface Resolved {
  id: string;
  name?: string;
  roles: Set<WebRole>;
}

/**
 * Turns a signed-in identity into the core's: a security contact (matched by email, or by a web
 * id equal to their `oid`/`sub`) takes the contact's web id, so the escalation code, the inbox
 * and the audit trail see the same contact as in chat. Roles come from the contacts file.
 */
export function resolveSignedIn(
  contacts: Contacts | undefined,
  who: { sub: string; email?: string; name?: string },
): Resolved {
  const roles = new Set<WebRole>();
  if (!contacts) return { id: who.sub, ...(who.name ? { name: who.name } : {}), roles };
  const contact = contactForSignIn(contacts, { id: who.sub, email: who.email });
  const id = contact?.web ?? who.sub;
  if (contact) roles.add('contact');
  if (isCurator(contacts, { platform: 'web', id: who.sub, email: who.email })) roles.add('curator');
  const name = who.name ?? contact?.name;
  return { id, ...(name ? { name } : {}), roles };
}

/** Local mode: roles for the id the page chose (the role picker). */
export function resolveLocal(contacts: Contacts | undefined, id: string): Resolved {
  const roles = new Set<WebRole>();
  const role = contacts ? roleOf(contacts, { platform: 'web', id }) : undefined;
  if (role) roles.add('contact');
  if (id === LOCAL_CURATOR_ID || (contacts && isCurator(contacts, { platform: 'web', id })))
    roles.add('curator');
  const contact = role === 'primary' ? contacts?.primary : role ? contacts?.backup : undefined;
  return { id, ...(contact ? { name: contact.name } : {}), roles };
}
