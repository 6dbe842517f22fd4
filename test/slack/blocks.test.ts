/** Unit tests of the Block Kit rendering: escaping, mrkdwn, and Slack's size limits. */
import { describe, expect, it } from 'vitest';
import {
  coreActionId,
  escapeSlack,
  homeView,
  LIMITS,
  renderReplies,
  splitText,
  toMrkdwn,
} from '../../adapters/slack/blocks.js';
import type { Block, Reply } from '../../src/model.js';

const reply = (...blocks: Block[]): Reply => ({ kind: 'notice', blocks });
const sections = (r: Reply) =>
  renderReplies([r])
    .flatMap((m) => m.blocks)
    .filter((b): b is Extract<typeof b, { type: 'section' }> => b.type === 'section')
    .map((b) => b.text?.text ?? '');
const elements = (r: Reply): any[] =>
  renderReplies([r])
    .flatMap((m) => m.blocks)
    .flatMap((b) => (b.type === 'actions' ? b.elements : []));

describe('escapeSlack', () => {
  it("escapes Slack's control characters, & first", () => {
    expect(escapeSlack('<!channel> & <@U1> <https://x.example|y>')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;https://x.example|y&gt;',
    );
    expect(escapeSlack('&lt;')).toBe('&amp;lt;');
    expect(escapeSlack('plain *text* _here_')).toBe('plain *text* _here_');
  });
});

describe('toMrkdwn', () => {
  it('renders bold, links and bullets', () => {
    expect(
      toMrkdwn('**Bold** and [a link](https://example.org/x) here.\n\n- one\n- two & three'),
    ).toBe('*Bold* and <https://example.org/x|a link> here.\n\n• one\n• two &amp; three');
  });

  it('escapes text inside bold and link labels; a "|" in a label cannot end it', () => {
    expect(toMrkdwn('**<!here>**')).toBe('*&lt;!here&gt;*');
    expect(toMrkdwn('[a|b <c>](https://example.org/)')).toBe(
      '<https://example.org/|a∣b &lt;c&gt;>',
    );
  });

  it('leaves a javascript: link, or an odd URL, as text', () => {
    const js = toMrkdwn('[click](javascript:alert(1))');
    expect(js).toContain('javascript:alert(1)');
    expect(js).not.toMatch(/<javascript/);
    const piped = toMrkdwn('[x](https://a.example/|<!channel>)');
    expect(piped).not.toContain('<https://a.example');
    expect(piped).not.toContain('<!channel>');
  });
});

describe('limits', () => {
  it('splits a 7,000-character paragraph into sections of at most 3,000, at word boundaries', () => {
    const words = Array.from({ length: 1000 }, (_, i) => `word${i}`);
    const text = words
      .join(' ')
      .slice(0, 7000)
      .replace(/\s\S*$/, '');
    expect(text.length).toBeGreaterThan(6900);
    const parts = sections(reply({ type: 'paragraph', text }));
    expect(parts.length).toBe(3);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(parts.join(' ')).toBe(text); // nothing lost, no word cut in two
  });

  it('prefers paragraph breaks, then line breaks', () => {
    const para = 'a'.repeat(1800);
    expect(splitText(`${para}\n\n${para}`)).toEqual([para, para]);
    expect(splitText(`${para}\n${para}`)).toEqual([para, para]);
    expect(splitText('x'.repeat(6500)).map((p) => p.length)).toEqual([3000, 3000, 500]);
  });

  // BUG (adapters/slack/blocks.ts, splitText): it cuts at the last space, even when that
  // space is inside a <url|label> link or the cut splits an &amp; entity, so both sections
  // show broken markup. Fix: choose cut points outside <...> and &...; (or split the parsed
  // paragraph inlines, not the rendered mrkdwn).
  it('never cuts a link in two', () => {
    const text = `${'word '.repeat(595)}[a label with several words](https://example.org/x) ${'tail '.repeat(100)}`;
    for (const p of sections(reply({ type: 'paragraph', text }))) {
      expect((p.match(/</g) ?? []).length, p.slice(-80)).toBe((p.match(/>/g) ?? []).length);
    }
  });

  it('splits a reply of more than 50 blocks into several messages, each with the fallback', () => {
    const many = reply(
      ...Array.from({ length: 120 }, (_, i): Block => ({ type: 'paragraph', text: `Line ${i}` })),
    );
    const messages = renderReplies([many]);
    expect(messages.map((m) => m.blocks.length)).toEqual([50, 50, 20]);
    expect(new Set(messages.map((m) => m.text)).size).toBe(1);
    expect(messages[0]!.text.length).toBeLessThanOrEqual(3000);
  });

  it('truncates button text to 75 and values to 2,000; action ids carry a position', () => {
    const [b] = elements(
      reply({
        type: 'buttons',
        buttons: [{ id: 'ask', label: 'L'.repeat(200), value: 'v'.repeat(5000) }],
      }),
    );
    expect(b.text.text).toHaveLength(LIMITS.buttonText);
    expect(b.text.text.endsWith('…')).toBe(true);
    expect(b.value).toHaveLength(LIMITS.value);
    expect(b.action_id).toBe('ask#0');
    expect(coreActionId('checklist:answer!boxes#12')).toBe('checklist:answer!boxes');
  });

  it('more than 25 buttons go into several actions blocks', () => {
    const buttons = Array.from({ length: 30 }, (_, i) => ({
      id: 'x',
      label: `B${i}`,
      value: `${i}`,
    }));
    const blocks = renderReplies([reply({ type: 'buttons', buttons })])[0]!.blocks;
    expect(blocks.map((b) => (b.type === 'actions' ? b.elements.length : 0))).toEqual([25, 5]);
  });

  it('up to 5 options are buttons; more become a static_select', () => {
    const choice = (n: number): Block => ({
      type: 'choice',
      id: 'checklist:answer',
      question: 'Pick <one>',
      options: Array.from({ length: n }, (_, i) => ({ label: `Option ${i}`, value: `s=${i}` })),
    });
    const five = elements(reply(choice(5)));
    expect(five.map((e) => e.type)).toEqual(Array(5).fill('button'));
    const six = elements(reply(choice(6)));
    expect(six).toHaveLength(1);
    expect(six[0]).toMatchObject({ type: 'static_select', action_id: 'checklist:answer#0' });
    expect(six[0].options).toHaveLength(6);
    expect(sections(reply(choice(6)))[0]).toBe('*Pick &lt;one&gt;*');
  });

  it('a multiple choice is checkboxes plus a Done button', () => {
    const [boxes, done] = elements(
      reply({
        type: 'choice',
        id: 'checklist:answer',
        question: 'Devices?',
        multiple: true,
        options: [
          { label: 'Laptop', value: 'devices=laptop' },
          { label: 'Phone', value: 'devices=phone' },
        ],
      }),
    );
    expect(boxes).toMatchObject({ type: 'checkboxes', action_id: 'checklist:answer!boxes#0' });
    expect(done).toMatchObject({
      type: 'button',
      value: 'multi-done',
      action_id: 'checklist:answer#1',
    });
  });

  it('sources: only http(s) URLs become links; titles are escaped', () => {
    const [text] = sections(
      reply({
        type: 'sources',
        sources: [
          { title: 'A|B <c>', publisher: 'P & Q', url: 'https://example.org/a', date: '2025-08' },
          { title: 'Bad', publisher: 'X', url: 'javascript:alert(1)', date: 'undated' },
        ],
      }),
    );
    expect(text).toContain('<https://example.org/a|A∣B &lt;c&gt;>, P &amp; Q, August 2025');
    expect(text).toContain('• Bad, X, undated');
    expect(text).not.toContain('javascript:');
  });

  it('the home view is a home-type view of at most 100 blocks', () => {
    const big = reply(
      ...Array.from({ length: 150 }, (): Block => ({ type: 'paragraph', text: 'x' })),
    );
    const view = homeView([big]);
    expect(view.type).toBe('home');
    expect(view.blocks).toHaveLength(100);
  });
});
