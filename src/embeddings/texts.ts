import type { Entry } from '../knowledge/index.js';
import { plainText } from '../llm/plain.js';

/** How much of the answer is embedded with the title: the opening says what the entry is about. */
export const BODY_CHARS = 600;

/** Cuts `text` to at most `max` characters at a word boundary. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  const space = head.lastIndexOf(' ');
  return space > max / 2 ? head.slice(0, space) : head;
}

/**
 * The texts embedded for one entry: the title with the opening of the answer, then each example
 * question on its own. An entry scores as its best-matching text. Separate question vectors keep a
 * short user question close to the phrasing it resembles, instead of being averaged away in one
 * long document vector; the title-and-body vector catches questions no example anticipated.
 */
export function entryTexts(entry: Entry): string[] {
  const body = cut(plainText(entry.answer), BODY_CHARS);
  const texts = [`${entry.title}\n${body}`, ...entry.questions.map((q) => q.trim())];
  return [...new Set(texts.filter((t) => t !== ''))];
}
