import { describe, expect, it } from 'vitest';
import { stripMentions, submitted } from '../../adapters/teams/activity.js';
import {
  type AdaptiveCard,
  MAX_CARD_BYTES,
  renderReply,
  walk,
} from '../../adapters/teams/cards.js';
import { answeredLabel, collapseCard } from '../../adapters/teams/collapse.js';
import { escapeTeams, MAX_TEXT, toTeamsMarkdown } from '../../adapters/teams/text.js';
import { escapeMarkdown } from '../../src/markdown.js';
import type { Reply } from '../../src/model.js';
import { cardText } from './connector.js';
import { cardProblems } from './validate.js';

const ZWSP = '\u200B';
const visible = (s: string) => s.replaceAll(ZWSP, '');
/** A CommonMark-style inline link, as a Teams client would find it. */
const LINK = /\[[^\]]*\]\(https?:[^)]*\)/;

describe('Teams markdown', () => {
  it('maps bold, links and bullets', () => {
    expect(
      toTeamsMarkdown(
        '**Title**\n\nSee [NZSIS](https://www.nzsis.govt.nz) now.\n\n- one\n- **two**',
      ),
    ).toEqual(['**Title**\n\nSee [NZSIS](https://www.nzsis.govt.nz) now.\n\n- one\n- **two**']);
  });

  it('never turns user-typed text into a link, mention, bold or list', () => {
    const typed =
      '- [click me](https://evil.example) <at>Mayor</at> **urgent** <https://x.example>';
    const [out] = toTeamsMarkdown(`Reporter said: ${escapeMarkdown(typed)}`);
    expect(visible(out!)).toBe(`Reporter said: ${typed}`);
    expect(out).not.toMatch(LINK);
    expect(out).not.toContain('<at>');
    expect(out).not.toContain('**');
    expect(out).not.toContain('<https');
    const [leading] = toTeamsMarkdown(escapeMarkdown('- not a bullet'));
    expect(leading!.startsWith(ZWSP)).toBe(true);
    expect(escapeTeams('[a](https://b)')).not.toMatch(LINK);
  });

  it('splits long text into blocks of at most 2000 characters, never inside a link', () => {
    const link = '[a source that must stay whole](https://example.org/source)';
    const text = Array.from(
      { length: 60 },
      (_, i) => `Paragraph ${i} ${'word '.repeat(40)}${link}`,
    ).join('\n\n');
    const pieces = toTeamsMarkdown(text);
    expect(pieces.length).toBeGreaterThan(5);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(pieces.join('').split(link).length - 1).toBe(60);
    const giant = toTeamsMarkdown('x'.repeat(5000));
    expect(giant.map((p) => p.length)).toEqual([2000, 2000, 1000]);
  });
});

const answer: Reply = {
  kind: 'answer',
  entryId: 'e1',
  blocks: [
    { type: 'paragraph', text: '**Gifts**\n\nDeclare them.\n\n- Record\n- Declare' },
    {
      type: 'sources',
      sources: [
        {
          title: 'Gifts policy',
          publisher: 'OAG',
          url: 'https://oag.parliament.nz/gifts',
          date: '2024-10',
        },
      ],
      reviewed: '2026-01-10',
    },
    {
      type: 'notice',
      tone: 'warning',
      text: 'Due for review. Check [this](https://evil.example).',
    },
    {
      type: 'buttons',
      buttons: [
        { id: 'feedback', label: 'Helpful', value: 'up:e1', style: 'primary' },
        { id: 'feedback', label: 'Not helpful', value: 'down:e1' },
      ],
    },
    {
      type: 'buttons',
      buttons: [{ id: 'case:ask', label: 'Ask the security contact', value: 'e1' }],
    },
    {
      type: 'choice',
      id: 'checklist:answer',
      question: 'Which devices?',
      multiple: true,
      options: [
        { label: 'Laptop', value: 'devices=laptop' },
        { label: 'Phone', value: 'devices=phone' },
      ],
    },
  ],
};

describe('cards', () => {
  it('renders every block as a valid Adaptive Card 1.5', () => {
    const [card] = renderReply(answer);
    expect(cardProblems(card)).toEqual([]);
    const text = cardText(card);
    expect(text).toContain('[Gifts policy](https://oag.parliament.nz/gifts), OAG, October 2024');
    expect(text).toContain('Last reviewed: 10 January 2026');
    // Notice text is plain text: whatever it holds shows literally.
    expect(text).not.toContain('[this](https://evil.example)');
    const choice = walk(card!.body).find((e) => e.type === 'Input.ChoiceSet')!;
    expect(choice).toMatchObject({
      isMultiSelect: true,
      label: 'Which devices?',
      isRequired: true,
    });
    const submit = walk(card!.body)
      .filter((e) => e.type === 'ActionSet')
      .flatMap((e) => e.actions as any[])
      .find((x) => x.data.input === choice.id);
    expect(submit.data).toEqual({ actionId: 'checklist:answer', input: choice.id });
  });

  it('splits a reply that would exceed the card size limit into several valid cards', () => {
    const long = Array.from(
      { length: 40 },
      (_, i) => `Para ${i} ${'long words here '.repeat(100)}`,
    ).join('\n\n');
    const cards = renderReply({
      kind: 'answer',
      blocks: [{ type: 'paragraph', text: long }, answer.blocks[3]!],
    });
    expect(cards.length).toBeGreaterThan(1);
    for (const c of cards) {
      expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThanOrEqual(MAX_CARD_BYTES);
      expect(cardProblems(c)).toEqual([]);
    }
    expect(cardText(cards.at(-1))).toContain('Helpful');
  });

  it('maps a choice submit back to the comma-joined values the core expects', () => {
    const value = {
      actionId: 'checklist:answer',
      input: 'choice-5',
      'choice-5': 'devices=laptop,devices=phone',
      'choice-9': 'x',
    };
    expect(submitted({ value })).toEqual({
      actionId: 'checklist:answer',
      input: 'choice-5',
      value: 'devices=laptop,devices=phone',
    });
    expect(submitted({ value: { actionId: 'feedback', value: 'up:e1' } })).toEqual({
      actionId: 'feedback',
      value: 'up:e1',
    });
    expect(submitted({ value: { something: 'else' } })).toBeUndefined();
  });

  it('collapses a question whole, but only the pressed row of other cards', () => {
    const [card] = renderReply(answer) as [AdaptiveCard];
    const choice = walk(card.body).find((e) => e.type === 'Input.ChoiceSet')!;
    const pressed = {
      actionId: 'checklist:answer',
      input: String(choice.id),
      value: 'devices=laptop,devices=phone',
    };
    expect(answeredLabel(card, pressed, pressed.value)).toBe('Laptop, Phone');
    const whole = collapseCard(card, pressed, 'Laptop, Phone')!;
    expect(
      walk(whole.body).some((e) => e.type === 'ActionSet' || e.type.startsWith('Input.')),
    ).toBe(false);
    expect(cardText(whole)).toContain('Which devices?');
    expect(cardText(whole)).toContain('Answered: Laptop, Phone');

    const feedback = { actionId: 'feedback', value: 'down:e1' };
    expect(answeredLabel(card, feedback)).toBe('Not helpful');
    const row = collapseCard(card, feedback, 'Not helpful')!;
    expect(cardText(row)).toContain('Answered: Not helpful');
    expect(cardText(row)).toContain('Ask the security contact');
    expect(cardText(row)).not.toContain('Helpful\n');
    for (const c of [whole, row]) expect(cardProblems(c)).toEqual([]);
    expect(collapseCard(card, { actionId: 'feedback', value: 'gone' }, 'x')).toBeUndefined();
  });

  it('strips only the bot mention', () => {
    const activity = {
      text: '<at>Sister City Advisor</at> ask <at>Bob</at> about gifts',
      recipient: { id: '28:bot', name: 'Sister City Advisor' },
      entities: [
        { type: 'mention', mentioned: { id: '28:bot' }, text: '<at>Sister City Advisor</at>' },
      ],
    };
    expect(stripMentions(activity as any)).toBe('ask <at>Bob</at> about gifts');
  });
});
