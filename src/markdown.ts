/**
 * The markdown subset used in reply text: **bold**, [label](https://url) and "- " bullets.
 * Adapters render the parsed form, so user-supplied text never becomes markup by accident.
 */

/** An inline run of text. */
export type Inline =
  | { type: 'text'; text: string }
  | { type: 'bold'; text: string }
  | { type: 'link'; text: string; url: string };

/** A paragraph or a bullet list. */
export type MdBlock = { type: 'para'; inlines: Inline[] } | { type: 'list'; items: Inline[][] };

const INLINE = /\*\*([^*]+)\*\*|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g;

// Escaped markup characters are parked in the private-use area while parsing, then restored.
const ESCAPABLE = '\\*[]()-_`<>';
const PARK = 0xe000;
const park = (s: string) =>
  s.replace(/\\([\\*[\]()\-_`<>])/g, (_m, c: string) =>
    String.fromCharCode(PARK + ESCAPABLE.indexOf(c)),
  );
const unpark = (s: string) =>
  s.replace(/[\ue000-\ue00b]/g, (c) => ESCAPABLE[c.charCodeAt(0) - PARK] ?? '');

/**
 * Escapes text a user typed so it shows literally inside markdown-subset text: it can never
 * become bold, a link or a bullet in somebody else's message.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\*[\]()_`<>]/g, '\\$&').replace(/^(\s*)-/gm, '$1\\-');
}

/** Splits one line into text, bold and link runs. */
export function parseInline(line: string): Inline[] {
  const parked = park(line);
  const out: Inline[] = [];
  let last = 0;
  for (const m of parked.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ type: 'text', text: unpark(parked.slice(last, at)) });
    if (m[1] !== undefined) out.push({ type: 'bold', text: unpark(m[1]) });
    else out.push({ type: 'link', text: unpark(m[2] ?? ''), url: m[3] ?? '' });
    last = at + m[0].length;
  }
  if (last < parked.length) out.push({ type: 'text', text: unpark(parked.slice(last)) });
  return out;
}

/**
 * Replies show the same curated answers again and again, so their texts are parsed and made plain
 * once and remembered. Only texts marked as curated (`curatedText`: the guidance's own words, never
 * what someone typed) are kept, so no user's text outlives its reply here; past this many the
 * memory starts again.
 */
const MEMO_LIMIT = 256;
const curated = new Set<string>();
const parsedMemo = new Map<string, readonly MdBlock[]>();
const plainMemo = new Map<string, string>();

/** Marks a reply text as curated guidance, which may be remembered once rendered; returns it. */
export function curatedText(text: string): string {
  if (curated.size >= MEMO_LIMIT) curated.clear();
  curated.add(text);
  return text;
}

/**
 * Keeps `value` in `memo` under `key` when `key` is a curated text (`curatedText`), as this
 * module's own renderings are kept; a surface's renderer of curated texts may keep its own this
 * way. Returns `value`.
 */
export function remember<T>(memo: Map<string, T>, key: string, value: T): T {
  if (!curated.has(key)) return value;
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

/**
 * Parses text into paragraphs and bullet lists. Blank lines separate paragraphs. A curated text's
 * result is shared with later calls, so every result is frozen: no caller can change it.
 */
export function parseMarkdown(text: string): readonly MdBlock[] {
  return parsedMemo.get(text) ?? remember(parsedMemo, text, deepFreeze(parseBlocks(text)));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function parseBlocks(text: string): MdBlock[] {
  const blocks: MdBlock[] = [];
  let para: string[] = [];
  let list: Inline[][] | undefined;
  const flushPara = () => {
    if (para.length) blocks.push({ type: 'para', inlines: parseInline(para.join(' ')) });
    para = [];
  };
  const flushList = () => {
    if (list) blocks.push({ type: 'list', items: list });
    list = undefined;
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const bullet = /^[-*]\s+(.*)$/.exec(line);
    // "\-" at the start of a line is an escaped dash, not a bullet; parseInline unescapes it.
    if (bullet) {
      flushPara();
      list ??= [];
      list.push(parseInline(bullet[1] ?? ''));
    } else if (line === '') {
      flushPara();
      flushList();
    } else if (list && raw.startsWith('  ')) {
      // A continuation line of the previous bullet.
      const lastItem = list[list.length - 1];
      lastItem?.push({ type: 'text', text: ` ${line}` });
    } else {
      flushList();
      para.push(line);
    }
  }
  flushPara();
  flushList();
  return blocks;
}

/** Plain text of inline runs; links become "label (url)". */
export function inlineToPlain(inlines: Inline[]): string {
  return inlines
    .map((i) => (i.type === 'link' ? (i.text === i.url ? i.url : `${i.text} (${i.url})`) : i.text))
    .join('');
}

/** Renders markdown-subset text as plain text for terminals and the JSON API. */
export function markdownToPlain(text: string): string {
  const known = plainMemo.get(text);
  if (known !== undefined) return known;
  const plain = parseMarkdown(text)
    .map((b) =>
      b.type === 'para'
        ? inlineToPlain(b.inlines)
        : b.items.map((item) => `- ${inlineToPlain(item)}`).join('\n'),
    )
    .join('\n\n');
  return remember(plainMemo, text, plain);
}
