import { parseMarkdown } from '../markdown.js';

/**
 * Markdown-subset text as one line of plain words, for text sent to a model as a description
 * (an embedding, a candidate summary): link labels are kept, their URLs and all markup dropped.
 */
export function plainText(markdown: string): string {
  return parseMarkdown(markdown)
    .flatMap((b) => (b.type === 'para' ? [b.inlines] : b.items))
    .map((inlines) => inlines.map((i) => i.text).join(''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}
