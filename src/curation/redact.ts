/**
 * Redacts a question before it is kept for curators: emails, phone numbers, links, @mentions and
 * the names people put around a question (a greeting's name, "my name is…", "I'm … from …", a
 * sign-off and what follows it, a trailing "- Sam"). Each becomes a bracketed placeholder, so a
 * curator can see that something was there. Names inside the question itself ("can John accept
 * a gift?") cannot be told from places and agencies by pattern, and are not redacted.
 */
import { redactPersonal } from '../llm/redact.js';

const URL = /\b(?:https?:\/\/|www\.)[^\s<>()]+/gi;
/** Slack's <@U123> and <mailto:…|…>, and a plain @name or @first.last mention. */
const SLACK_MENTION = /<[@!#][^>\s]{1,80}>/g;
const MENTION = /(^|[^\w.@])@[\p{L}\p{N}._-]{1,64}/gu;
/** Phone numbers redactPersonal leaves alone: 7+ digits without a leading 0 or + ("4 555 0192" is not one, but "21 555 0192" after "+64" is). */
const LOOSE_PHONE = /(?<![\w.])\d{2,4}[ -]\d{3}[ -]\d{3,4}(?![\w.])/g;

const GREETING =
  /^(\s*(?:kia ora(?: koe| koutou| katoa)?|t[eē]n[aā] (?:koe|koutou|k[oō]rua)|m[oō]rena|hi|hello|hey|hiya|g'?day|good (?:morning|afternoon|evening)|dear))\s+([\p{L}'-]+(?:\s+[\p{L}'-]+)?)/iu;

/** "my name is Sam Jones" (any case). */
const MY_NAME = /\b(my name is|my name's|name here is)\s+[\p{L}'-]+(?:\s+[A-Z][\p{L}'-]+)?/giu;
/** "I'm Aroha from…", "I am Sam, …", "this is Mere here": a capitalised word after, then a break. */
const INTRO =
  /\b((?:[Ii]['’]m|[Ii] am|[Tt]his is)\s+)[A-Z][\p{L}'-]+(?:\s+[A-Z][\p{L}'-]+)?(?=\s*(?:here\b|from\b|in\b|with\b|at\b|and\b|[,.;:!—–-]|$))/gu;

const SIGN_OFF_WORDS =
  '(?:cheers|thanks(?: heaps| so much| a lot| again)?|thank you(?: so much)?|ng[aā] mihi(?: nui)?|kind regards|warm regards|best regards|regards|many thanks|ka kite(?: an[oō])?|best wishes|m[aā] te w[aā])';
/** A sign-off followed by the rest of the message, when that rest is short and asks nothing. */
const SIGN_OFF = new RegExp(
  `(^|[\\s,.!?;:—–-])(${SIGN_OFF_WORDS})\\s*[,.!:;—–-]*\\s+([^\\n?]{1,100})$`,
  'iu',
);
/** A trailing "- Sam" or "— Sam Jones (events)". */
const TRAILING_DASH_NAME =
  /(\s[—–-]{1,2}\s*)[A-Z][\p{L}'-]+(?:\s+[A-Z][\p{L}'-]+){0,3}(?:\s*\([^()]{0,60}\))?\s*[.!]?\s*$/u;

/** Words that may follow a greeting but are not a name. */
const NOT_A_NAME = new Set([
  'team',
  'all',
  'there',
  'everyone',
  'folks',
  'bot',
  'advisor',
  'again',
  'i',
  'can',
  'could',
  'is',
  'are',
  'what',
  'how',
  'do',
  'does',
  'we',
  'quick',
]);

/** The question with personal details replaced by [email], [phone], [link], [mention] and [name]. */
export function redactQuestion(text: string): string {
  let t = text.replace(/\s+/g, ' ').trim();
  t = t.replace(URL, '[link]').replace(SLACK_MENTION, '[mention]');
  t = redactPersonal(t);
  t = t.replace(MENTION, (_m, before: string) => `${before}[mention]`);
  t = t.replace(LOOSE_PHONE, '[phone]');
  t = t.replace(GREETING, (m, greeting: string, words: string) => {
    const [first, second] = words.split(/\s+/);
    if (!first || !/^\p{Lu}/u.test(first) || NOT_A_NAME.has(first.toLowerCase())) return m;
    // "Hi Sam Jones" loses both names; "Hi Sam Can we…" keeps the question's first word.
    const both = second && /^\p{Lu}/u.test(second) && !NOT_A_NAME.has(second.toLowerCase());
    return `${greeting} [name]${both ? '' : second ? ` ${second}` : ''}`;
  });
  t = t.replace(MY_NAME, (_m, lead: string) => `${lead} [name]`);
  t = t.replace(INTRO, (_m, lead: string) => `${lead}[name]`);
  // Only a capitalised word (a name) or a placeholder after the sign-off: "thanks heaps" stays.
  t = t.replace(SIGN_OFF, (m, before: string, words: string, rest: string) =>
    /^[\p{Lu}[]/u.test(rest) ? `${before}${words} [name]` : m,
  );
  t = t.replace(TRAILING_DASH_NAME, (_m, dash: string) => `${dash}[name]`);
  return t.trim();
}
