/**
 * Finds and redacts personal contact details (emails, phone numbers) in a user's text before it
 * goes to a model. The same patterns let the grounding check spot invented contact details.
 */

/** An email address. */
export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/**
 * A phone number: international (+64 21 123 4567, 0064 ..., +1 (555) 123-4567) or national with
 * a leading 0 (021 123 4567, (09) 123 4567, 0800 747 224). Numbers without a leading 0 or + are
 * left alone so years, amounts and section numbers survive.
 */
export const PHONE =
  /(?<![\w+])(?:(?:\+|00)[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?|\(0\d{1,4}\)[ .-]?|(?=0))\d(?:[ .-]?\d){5,13}(?!\d)/g;

/** 01-05-2024 and 01.05.2024 look like phone numbers to PHONE but are dates. */
const DATE_LIKE = /^\d{1,2}[-.]\d{1,2}[-.]\d{2,4}$/;

/** The digits of a phone number in national form, so "+64 21 123 4567" equals "021 123 4567". */
export function phoneKey(raw: string): string {
  let digits = raw.replace(/\(0\)/, '').replace(/\D/g, '');
  if (raw.trim().startsWith('+')) digits = `+${digits}`;
  else if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  return digits.startsWith('+64') ? `0${digits.slice(3)}` : digits;
}

/** Every phone number in `text`, as found (dates that look like numbers excluded). */
export function findPhones(text: string): string[] {
  return [...text.matchAll(PHONE)]
    .map((m) => m[0])
    .filter((p) => !DATE_LIKE.test(p) && p.replace(/\D/g, '').length >= 7);
}

/** Every email address in `text`. */
export function findEmails(text: string): string[] {
  return [...text.matchAll(EMAIL)].map((m) => m[0]);
}

/** Contact details that are public because the supplied sources contain them. */
export interface PublicContacts {
  phones: Set<string>;
  emails: Set<string>;
}

/** Collects the phone numbers and emails that appear in the sources. */
export function publicContacts(sourceText: string): PublicContacts {
  return {
    phones: new Set(findPhones(sourceText).map(phoneKey)),
    emails: new Set(findEmails(sourceText).map((e) => e.toLowerCase())),
  };
}

/**
 * Replaces emails with [email] and phone numbers with [phone]. Numbers and addresses the sources
 * publish (NZSIS's 0800 number) are kept: they are not personal and the question may be about them.
 */
export function redactPersonal(text: string, keep?: PublicContacts): string {
  const emailsDone = text.replace(EMAIL, (e) =>
    keep?.emails.has(e.toLowerCase()) ? e : '[email]',
  );
  return emailsDone.replace(PHONE, (p) => {
    if (DATE_LIKE.test(p) || p.replace(/\D/g, '').length < 7) return p;
    return keep?.phones.has(phoneKey(p)) ? p : '[phone]';
  });
}
