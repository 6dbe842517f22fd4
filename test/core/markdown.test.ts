import { describe, expect, it } from 'vitest';
import { markdownToPlain, parseInline, parseMarkdown } from '../../src/markdown.js';

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
