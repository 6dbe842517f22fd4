import type { Entry } from '../knowledge/index.js';
import { NO_ANSWER, sourceCorpus } from './prompt.js';
import { EMAIL, findEmails, findPhones, phoneKey, publicContacts } from './redact.js';

/** The verdict on one model answer. */
export type CheckResult =
  | { ok: true; text: string; cited: Entry[] }
  | { ok: false; reason: 'no-answer' | 'failed-check'; detail: string };

const fail = (detail: string): CheckResult => ({ ok: false, reason: 'failed-check', detail });

/** Reasoning models served by vLLM, llama.cpp or Ollama put their thinking in the content. */
function stripThinking(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/gi, '').replace(/<think>[\s\S]*$/i, '');
}

/** Brings common markdown into the subset the adapters render, so no markup shows literally. */
function toSubset(text: string): string {
  return text
    .replace(/^```.*$/gm, '')
    .replace(/`/g, '')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/^[ \t]*#{1,6}[ \t]+(.+?)[ \t]*#*$/gm, '**$1**')
    .replace(/^[ \t]*(?:[*•]|\d{1,2}[.)])[ \t]+/gm, '- ')
    .replace(/__([^_\n]+)__/g, '**$1**')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Rewrites citation variants ([^2], [Source 2], 【2】, [1, 3], [1-3]) as plain [n] runs. */
function normaliseCitations(text: string): string {
  return text
    .replace(/\[\^(\d+)\]|【(\d+)】|\[sources? (\d+)\]/gi, (_m, a, b, c) => `[${a ?? b ?? c}]`)
    .replace(/\[(\d+)\s*[-–]\s*(\d+)\](?!\()/g, (m, a: string, b: string) => {
      const [lo, hi] = [Number(a), Number(b)];
      if (hi < lo || hi - lo > 20) return m;
      return Array.from({ length: hi - lo + 1 }, (_v, i) => `[${lo + i}]`).join('');
    })
    .replace(/\[(\d+(?:\s*[,;]\s*\d+)+)\](?!\()/g, (_m, list: string) =>
      list
        .split(/[,;]/)
        .map((n) => `[${n.trim()}]`)
        .join(''),
    );
}

const CITATION = /\[(\d+)\](?!\()/g;
const LINK = /\[([^\]\n]+)\]\(([^)\s]+)\)/g;
const URL_LIKE = /\b(?:https?:\/\/|www\.)[^\s)\]>]+/gi;
const DOMAIN_LIKE =
  /\b(?:[a-z0-9-]+\.)+(?:nz|com|org|net|gov|govt|au|uk|ca|io|int|info|edu|us)\b(?:\/[^\s)\]]*)?/gi;

/** URLs compare without scheme case, "www.", trailing slash or trailing punctuation. */
function urlKey(url: string): string {
  return url
    .replace(/[.,;:!?'"]+$/, '')
    .replace(/^https?:\/\/(www\.)?/i, '')
    .replace(/^www\./i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/** A figure: a number with the unit and scale that change its meaning. */
export interface Figure {
  value: string;
  unit: '' | '$' | '%';
  scale: string;
}

const SCALES: Record<string, string> = {
  k: 'thousand',
  thousand: 'thousand',
  m: 'million',
  million: 'million',
  bn: 'billion',
  billion: 'billion',
};

const FIGURE =
  /(?<![\w.])((?:NZ|A|AU|US)?\$|£|€)?\s?(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s?(k|m|bn|thousand|million|billion)\b)?(\s?%|\s?per ?cent\b)?/gi;

/** Every figure in `text` (numbers, years, money, percentages). */
export function figures(text: string): Figure[] {
  return [...text.matchAll(FIGURE)].map((m) => ({
    value: String(Number((m[2] ?? '').replace(/,/g, ''))),
    unit: m[4] ? '%' : m[1] ? '$' : '',
    scale: SCALES[(m[3] ?? '').toLowerCase()] ?? '',
  }));
}

/** Number words a model might use in place of the digits in the sources. */
const NUMBER_WORDS = new Map<string, number>([
  ...'two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty'
    .split(' ')
    .map((w, i): [string, number] => [w, i + 2]),
  ...'thirty forty fifty sixty seventy eighty ninety'
    .split(' ')
    .map((w, i): [string, number] => [w, 30 + i * 10]),
]);

/** The first figure in the answer that the sources lack (same value, unit and scale), if any. */
function unsupportedFigure(answer: string, corpus: string): string | undefined {
  const known = figures(corpus);
  for (const f of figures(answer)) {
    const found = known.some(
      (k) =>
        k.value === f.value &&
        (f.unit === '' || k.unit === f.unit) &&
        (f.scale === '' || k.scale === f.scale),
    );
    if (!found) return `${f.unit === '$' ? '$' : ''}${f.value}${f.unit === '%' ? '%' : ''}`;
  }
  const words = corpus.toLowerCase();
  for (const m of answer.toLowerCase().matchAll(/\b[a-z]+\b/g)) {
    const n = NUMBER_WORDS.get(m[0]);
    if (n === undefined) continue;
    if (!new RegExp(`\\b${m[0]}\\b`).test(words) && !known.some((k) => k.value === String(n)))
      return m[0];
  }
  return undefined;
}

/**
 * Checks a model answer against the sources it was given and returns it in the markdown subset
 * with citations renumbered by first use. Anything the sources cannot vouch for fails: unknown
 * citations, no citation, URLs, emails, phone numbers or figures not in the sources.
 */
export function checkAnswer(raw: string, entries: Entry[]): CheckResult {
  const text = normaliseCitations(toSubset(stripThinking(raw)));
  if (text === '') return fail('empty answer');
  if (text.includes(NO_ANSWER))
    return { ok: false, reason: 'no-answer', detail: 'the sources do not answer it' };

  const order: number[] = [];
  for (const m of text.matchAll(CITATION)) {
    const n = Number(m[1]);
    if (n < 1 || n > entries.length) return fail(`cites [${n}] but there are ${entries.length}`);
    if (!order.includes(n)) order.push(n);
  }
  for (const m of text.matchAll(/\bsources? (\d+)\b/gi)) {
    const n = Number(m[1]);
    if (n < 1 || n > entries.length)
      return fail(`cites source ${n} but there are ${entries.length}`);
  }
  if (order.length === 0) return fail('no citations');

  const corpus = sourceCorpus(entries);
  const corpusUrls = new Set([...corpus.matchAll(URL_LIKE)].map((m) => urlKey(m[0])));
  const corpusHosts = new Set(
    [...corpus.matchAll(URL_LIKE), ...corpus.matchAll(DOMAIN_LIKE)].map(
      (m) => urlKey(m[0]).split('/')[0] ?? '',
    ),
  );
  for (const m of text.matchAll(LINK)) {
    if (!corpusUrls.has(urlKey(m[2] ?? ''))) return fail('links to a URL not in the sources');
  }
  // Link targets are checked; their labels are still text to check for facts.
  let rest = text.replace(LINK, '$1').replace(CITATION, ' ');
  for (const m of rest.matchAll(URL_LIKE)) {
    if (!corpusUrls.has(urlKey(m[0]))) return fail('mentions a URL not in the sources');
  }
  rest = rest.replace(URL_LIKE, ' ');
  // Emails before bare domains: "x@nzsis.govt.nz" must not pass as the known domain.
  const known = publicContacts(corpus);
  if (findEmails(rest).some((e) => !known.emails.has(e.toLowerCase())))
    return fail('mentions an email address not in the sources');
  rest = rest.replace(EMAIL, ' ');
  for (const m of rest.matchAll(DOMAIN_LIKE)) {
    const key = urlKey(m[0]);
    // Whole hosts only: "sis.govt.nz" is not vouched for by "nzsis.govt.nz".
    if (!corpusUrls.has(key) && !(corpusHosts.has(key.split('/')[0] ?? '') && !key.includes('/')))
      return fail('mentions a web address not in the sources');
  }
  rest = rest.replace(DOMAIN_LIKE, ' ');
  const phones = findPhones(rest);
  if (phones.some((p) => !known.phones.has(phoneKey(p))))
    return fail('mentions a phone number not in the sources');
  for (const p of phones) rest = rest.split(p).join(' ');
  const figure = unsupportedFigure(rest, corpus);
  if (figure) return fail('mentions a figure not in the sources');

  const renumbered = text
    .replace(CITATION, (_m, n: string) => `[${order.indexOf(Number(n)) + 1}]`)
    .replace(/(\[\d+\])(?:\s*\1)+/g, '$1');
  const cited = order.map((n) => entries[n - 1]).filter((e): e is Entry => e !== undefined);
  return { ok: true, text: renumbered, cited };
}
