import { describe, expect, it } from 'vitest';
import { curatedText, markdownToPlain, parseInline, parseMarkdown } from '../../src/markdown.js';

describe('markdown subset', () => {
  it('parses bold and links', () => {
    expect(
      parseInline('Call **0800 747 224** or use [the form](https://www.nzsis.govt.nz).'),
    ).toEqual([
      { type: 'text', text: 'Call ' },
      { type: 'bold', text: '0800 747 224' },
      { type: 'text', text: ' or use ' },
      { type: 'link', text: 'the form', url: 'https://www.nzsis.govt.nz' },
      { type: 'text', text: '.' },
    ]);
  });

  it('never turns a non-http link into a link', () => {
    expect(parseInline('[click](javascript:alert(1))')).toEqual([
      { type: 'text', text: '[click](javascript:alert(1))' },
    ]);
  });

  it('splits paragraphs and bullet lists', () => {
    expect(parseMarkdown('First line\nsame para.\n\n- one\n- **two**\n\nLast.')).toEqual([
      { type: 'para', inlines: [{ type: 'text', text: 'First line same para.' }] },
      { type: 'list', items: [[{ type: 'text', text: 'one' }], [{ type: 'bold', text: 'two' }]] },
      { type: 'para', inlines: [{ type: 'text', text: 'Last.' }] },
    ]);
  });

  it('renders plain text with link targets', () => {
    expect(markdownToPlain('See [SafeTravel](https://www.safetravel.govt.nz).\n- a\n- b')).toBe(
      'See SafeTravel (https://www.safetravel.govt.nz).\n\n- a\n- b',
    );
  });
});

describe('curated texts are remembered, and nothing else', () => {
  it('gives the same frozen blocks for the same curated text, which no caller can change', () => {
    const text = curatedText('A **bold** start.\n\n- one\n- two');
    const first = parseMarkdown(text);
    expect(parseMarkdown(`${text}`)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const block = first[1];
    if (block?.type !== 'list') throw new Error('expected a list');
    expect(() => block.items.push([])).toThrow(TypeError);
    expect(markdownToPlain(text)).toBe('A bold start.\n\n- one\n- two');
  });

  it('parses a text that is not curated (what someone typed) afresh each time', () => {
    const typed = 'my trip to **Xiamen** on 3 May';
    const first = parseMarkdown(typed);
    expect(parseMarkdown(typed)).not.toBe(first);
    expect(parseMarkdown(typed)).toEqual(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('stays right after many different curated texts, past what it remembers', () => {
    for (let i = 0; i < 600; i++)
      expect(markdownToPlain(curatedText(`Text **${i}**`))).toBe(`Text ${i}`);
    expect(markdownToPlain(curatedText('A **bold** start.'))).toBe('A bold start.');
  });
});
