/**
 * Cleans what users type before the core sees it. Everything a user supplies (their display
 * name, message text, button values) enters through `Bot.handle`, which cleans it here once;
 * cases, trips, notes, replies, the audit log and every export then hold only clean text, so
 * no renderer has to remember to.
 */
import type { Incoming, UserRef } from './model.js';

/** The longest display name kept; platforms allow far longer, and a name is one short line. */
export const MAX_NAME_CHARS = 100;

// Control characters (C0 but tab, DEL, C1), invisible format characters that can hide or
// reorder text (zero-width space, word joiner, BOM, soft hyphen), and every bidirectional mark,
// embedding, override and isolate. Zero-width joiners (U+200C, U+200D) stay: emoji and several
// scripts need them.
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

// Line and paragraph breaks of every kind, with the spaces around them. One space replaces
// them, so text can never start a new paragraph (a forged "Why:" line) in someone else's card.
const BREAKS = /[ \t]*[\n\v\f\r\u0085\u2028\u2029]+[ \t]*/g;

/** Drops control, invisible and bidi characters, turns line breaks into one space, and trims. */
export function cleanText(text: string): string {
  return text.replace(INVISIBLE, '').replace(BREAKS, ' ').trim();
}

/** A display name as others may see it: clean, one line, at most `MAX_NAME_CHARS` characters. */
export function cleanName(name: string): string {
  const clean = cleanText(name).replace(/\s+/g, ' ');
  if (clean.length <= MAX_NAME_CHARS) return clean;
  // By code point, so an emoji is never cut in half.
  return `${[...clean].slice(0, MAX_NAME_CHARS - 1).join('')}…`;
}

/** The user with a clean name (none, when nothing is left of it). Ids are left alone: adapters validate them. */
export function cleanUser<U extends UserRef>(user: U): U {
  if (user.name === undefined) return user;
  const name = cleanName(user.name);
  const { name: _raw, ...rest } = user;
  return (name ? { ...rest, name } : rest) as U;
}

/** An incoming message with every user-supplied string cleaned. */
export function cleanIncoming(incoming: Incoming): Incoming {
  const user = cleanUser(incoming.user);
  if (incoming.action) {
    const { id, value } = incoming.action;
    return {
      ...incoming,
      user,
      action: { id: cleanText(id), ...(value === undefined ? {} : { value: cleanText(value) }) },
    };
  }
  return { ...incoming, user, text: cleanText(incoming.text ?? '') };
}
