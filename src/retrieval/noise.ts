/**
 * Strips what staff wrap around a question in chat, so that only the question is searched:
 * greetings, pleasantries, sign-offs with names, emails, phone numbers and links. None of it says
 * what the question is about, and every word of it would count against the question.
 */

const URL = /\b(?:https?:\/\/|www\.)[^\s<>()]+/gi;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
/** NZ and international phone numbers: 027 555 0192, (04) 123-4567, +64 21 555 019, 0800 747 224. */
const PHONE = /(?:\+?\d{1,3}[\s-]?)?\(?\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b/g;

/** Stands in for a removed email or phone number until the words pointing to it are gone. */
const CONTACT = '\uE000';
/** "email me at", "or call", "ring me on", "txt": just before a removed address or number. */
const CONTACT_WORDS =
  /(?:\b(?:or|and)\s+)?\b(?:e-?mail|mail|call|ring|phone|text|txt|contact|reach)(?:\s+(?:me|us|him|her|them))?(?:\s+(?:on|at))?\s*:?\s*(?=\uE000)/gi;

const GREETING_WORDS =
  "(?:kia ora(?: koe| koutou| katoa| ano)?|t[eē]n[aā] (?:koe|koutou|korua)|m[oō]rena|hi(?: there| all| team| folks)?|hello(?: there| team)?|hey(?: there| team)?|hiya|g'?day|good (?:morning|afternoon|evening)|greetings|dear (?:bot|advisor|team))";

/** A greeting at the start, with an optional name: "Kia ora Sam," "Hi team -". */
const LEADING_GREETING = new RegExp(
  `^\\s*${GREETING_WORDS}(?:\\s+[A-Z][\\p{L}'-]+)?\\s*[,.!:;—–-]*\\s*`,
  'iu',
);

/** Pleasantries that open or pad a message. */
const PLEASANTRIES =
  /\b(?:sorry to (?:bother|trouble|pester) you(?: (?:again|with this))?|hope (?:you(?:'re| are) (?:well|good)|all is well|this finds you well)|(?:just )?a quick (?:one|question|q)|quick (?:one|question|q)(?: for you)?|i was (?:just )?wondering(?: if)?|just wondering(?: if)?|just checking|wondering if you (?:can|could) help(?: me)?(?= ?[,.!:;-])|(?:can|could) you help(?: me)?(?: with (?:this|something))?(?= ?[,.!:;-])|any (?:help|advice|guidance) (?:would be|is) (?:much |greatly |really )?appreciated|thanks in advance|thank you in advance|tia)\b[,.!:;]*/gi;

/** "I'm Aroha from the governance team", "my name is Sam and I work in events". */
const INTRODUCTION =
  /\b(?:(?:[Ii]['’]m|[Ii] am|[Tt]his is|[Ii]t['’]s) [A-Z][\p{L}'-]+(?: [A-Z][\p{L}'-]+)?(?: here)?|[Mm]y name is [\p{L}'-]+(?: [\p{L}'-]+)?)(?: (?:from|in|with) (?:the )?[\p{L}' ]{1,30}? (?:team|unit|office|department|group))?(?=[\s,.;:!-]|$)[,.;:!-]?/gu;

/** A sign-off and whatever follows it (a name, a role, a number): "Cheers, Aroha (governance)". */
const SIGN_OFF =
  /(?:^|[\s,.!?;:—–-])(?:cheers|thanks(?: heaps| so much| a lot| again)?|thank you(?: so much)?|ng[aā] mihi(?: nui)?|nga mihi|kind regards|warm regards|best regards|regards|many thanks|ta|m[aā] te w[aā]|ka kite(?: an[oō])?|best wishes|sent from my \w+)\s*[,.!:;—–-]*(?:\s+[\p{L}'().,&/\s-]{0,60})?$/iu;

/** A trailing signature in brackets or after a dash: "(Aroha, governance team)" "- Sam". */
const TRAILING_SIGNATURE =
  /(?:\s*\((?:[^()]{0,60})\)|\s+[—–-]{1,2}\s*[A-Z][\p{L}'-]+(?:[\s,]+[\p{L}'-]+){0,4})\s*[.!]?\s*$/u;

/** "-----Original Message-----", "---------- Forwarded message ---------", a line of dashes. */
const MAIL_RULE =
  /^[ \t>]*(?:-{2,}[ \t]*(?:original message|forwarded message|begin forwarded message)[ \t]*-*|[-_=*]{3,})[ \t]*$/gim;
/** A pasted email's header lines ("From: Cr Bruce Hamilton", "Sent: Tuesday 9:14 AM"). */
const MAIL_HEADER = /^[ \t>]*(?:from|sent|to|cc|bcc|date|reply-to)[ \t]*:[^\n]*$/gim;
/** The ">" that marks a quoted line in an email or a chat reply. */
const QUOTE_MARK = /^[ \t]*>+[ \t]?/gm;
/** "On Tue, 3 June at 9:14, Sam wrote:", the line a reply quotes from. */
const MAIL_QUOTE_LINE = /^[ \t>]*on [^\n]{3,120}\bwrote:[ \t]*$/gim;

/**
 * A pasted email's header block and quoting: its dividing lines, the ">" before quoted lines, its
 * From, Sent, To and Date lines, and its "Subject:" label (the subject's words stay). Header lines
 * go only when a From line comes with another header line, so a message that merely starts "To:
 * whoever looks after security" keeps it.
 */
function stripMailHeaders(text: string): string {
  let t = text.replace(MAIL_RULE, ' ').replace(MAIL_QUOTE_LINE, ' ').replace(QUOTE_MARK, '');
  const headers = t.match(MAIL_HEADER) ?? [];
  if (headers.some((h) => /^[ \t>]*from/i.test(h)) && headers.length >= 2)
    t = t.replace(MAIL_HEADER, ' ').replace(/^[ \t>]*subject[ \t]*:[ \t]*/gim, '');
  return t;
}

/** Removes greetings, pleasantries, sign-offs, names in signatures, emails, phone numbers and links. */
export function stripNoise(text: string): string {
  let t = stripMailHeaders(text).replace(/\s+/g, ' ').trim();
  t = t
    .replace(URL, ' ')
    .replace(EMAIL, CONTACT)
    .replace(PHONE, (m) => (isPhone(m) ? CONTACT : m))
    // "Email me at … or call …": the words that only point to a removed address go with it.
    .replace(CONTACT_WORDS, ' ')
    .replaceAll(CONTACT, ' ');
  for (let i = 0; i < 3; i++) {
    const before = t;
    t = t.replace(LEADING_GREETING, '').trim();
    t = t.replace(SIGN_OFF, '').trim();
    t = t.replace(TRAILING_SIGNATURE, '').trim();
    if (t === before) break;
  }
  t = t.replace(PLEASANTRIES, ' ').replace(INTRODUCTION, ' ');
  t = t
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/^[\s,.;:!—–-]+/, '')
    .replace(/\s+/g, ' ')
    .trim();
  // A message that was nothing but pleasantries keeps its words: small talk handles it.
  return /[\p{L}\p{N}]/u.test(t) ? t : text.trim();
}

/** A run of digits is a phone number when it has seven or more digits (years and counts have fewer). */
function isPhone(match: string): boolean {
  return match.replace(/\D/g, '').length >= 7;
}
