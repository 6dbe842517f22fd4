import { type Inline, type MdBlock, parseMarkdown, remember } from '../../src/markdown.js';

/** Longest text put in one TextBlock; Teams clients get slow and clip beyond a few thousand. */
export const MAX_TEXT = 2000;

// An invisible zero-width space breaks markdown syntax without changing what a reader sees.
// Teams clients disagree on backslash escapes (some show the backslashes), so we never rely on them.
const ZWSP = '\u200B';
const SAFE_URL = /^https?:\/\/[^\s()<>[\]]+$/;

/**
 * Makes text show literally in Teams markdown: it cannot become a link, a mention, bold or
 * HTML. `](` and `][` are split (no links), `<` is split (no `<at>` mentions, autolinks or
 * tags) and runs of `*`, `_` or `~` are split (no bold).
 */
export function escapeTeams(text: string): string {
  return text
    .replace(/\](?=[([])/g, `]${ZWSP}`)
    .replace(/</g, `<${ZWSP}`)
    .replace(/([*_~])(?=[*_~])/g, `$1${ZWSP}`);
}

/** Stops a line that starts with "-", "+", "#", ">" or "1." from turning into a list or heading. */
function guardLineStart(line: string): string {
  return /^\s*([-+*#>]|\d+[.)])/.test(line) ? `${ZWSP}${line}` : line;
}

function inlineTokens(inlines: Inline[]): string[] {
  return inlines.flatMap((i) => {
    if (i.type === 'bold') return [`**${escapeTeams(i.text.trim())}**`];
    if (i.type === 'link') {
      return SAFE_URL.test(i.url)
        ? [`[${escapeTeams(i.text)}](${i.url})`]
        : words(escapeTeams(`${i.text} (${i.url})`));
    }
    return words(escapeTeams(i.text));
  });
}

/** Splits text after each run of whitespace, so lines can be broken between words. */
function words(text: string): string[] {
  return text.match(/\S*\s*/g)?.filter((w) => w !== '') ?? [];
}

/** A block as lines of tokens; a line may be split between tokens, never inside one. */
function blockLines(block: MdBlock): string[][] {
  if (block.type === 'para') {
    const tokens = inlineTokens(block.inlines);
    if (tokens[0] !== undefined && block.inlines[0]?.type === 'text')
      tokens[0] = guardLineStart(tokens[0]);
    return [tokens];
  }
  return block.items.map((item) => {
    const tokens = inlineTokens(item);
    if (tokens[0] !== undefined && item[0]?.type === 'text') tokens[0] = guardLineStart(tokens[0]);
    return ['- ', ...tokens];
  });
}

/** Packs tokens into pieces of at most `max` characters; a single oversized token is cut. */
function packTokens(tokens: string[], max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const token of tokens) {
    if (cur.length + token.length <= max) {
      cur += token;
      continue;
    }
    if (cur) out.push(cur);
    cur = token;
    while (cur.length > max) {
      out.push(cur.slice(0, max));
      cur = cur.slice(max);
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Renders parsed blocks as Teams markdown in pieces of at most `max` characters each. */
export function renderMarkdown(blocks: readonly MdBlock[], max = MAX_TEXT): string[] {
  const out: string[] = [];
  let cur = '';
  const add = (piece: string, sep: string) => {
    if (cur && cur.length + sep.length + piece.length <= max) {
      cur += sep + piece;
      return;
    }
    if (cur) out.push(cur);
    cur = piece;
  };
  for (const block of blocks) {
    for (const [i, tokens] of blockLines(block).entries()) {
      const sep = i === 0 ? '\n\n' : '\n';
      const line = tokens.join('');
      if (line.length <= max) {
        add(line, sep);
        continue;
      }
      // Pieces of one long line are contiguous: they join with nothing between them.
      for (const [j, piece] of packTokens(tokens, max).entries()) add(piece, j === 0 ? sep : '');
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Curated texts' pieces at the usual size, rendered once (see `remember`). */
const rendered = new Map<string, readonly string[]>();

/** Markdown-subset text (bold, links, "- " bullets) as Teams markdown pieces. */
export function toTeamsMarkdown(text: string, max = MAX_TEXT): string[] {
  if (max !== MAX_TEXT) return renderMarkdown(parseMarkdown(text), max);
  const known = rendered.get(text) ?? remember(rendered, text, renderMarkdown(parseMarkdown(text)));
  return [...known];
}

/** Plain text (nothing in it is markup) as Teams markdown pieces that show it literally. */
export function plainToTeams(text: string, max = MAX_TEXT): string[] {
  const blocks: MdBlock[] = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => ({ type: 'para', inlines: [{ type: 'text', text: l }] }));
  return renderMarkdown(blocks, max);
}
