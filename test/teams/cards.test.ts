import { describe, expect, it } from 'vitest';
import { stripMentions, submitted } from '../../adapters/teams/activity.js';
import {
  type AdaptiveCard,
  MAX_CARD_BYTES,
  renderReply,
  summaryOf,
  walk,
} from '../../adapters/teams/cards.js';
import { answeredLabel, collapseCard } from '../../adapters/teams/collapse.js';
import { escapeTeams, MAX_TEXT, toTeamsMarkdown } from '../../adapters/teams/text.js';
import { curatedText, escapeMarkdown } from '../../src/markdown.js';
import type { Reply } from '../../src/model.js';
import { plainStart, replyToPlain } from '../../src/replies.js';
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

describe('long button labels', () => {
  const long = "Canada's foreign interference law (Bill C-70) and municipal access to intelligence";
  const related: Reply = {
    kind: 'answer',
    blocks: [
      { type: 'paragraph', text: 'Related questions:' },
      {
        type: 'buttons',
        buttons: [
          { id: 'show-entry', label: long, value: 'canada-c70' },
          { id: 'show-entry', label: 'Gifts and koha', value: 'gifts-koha' },
        ],
      },
      { type: 'buttons', buttons: [{ id: 'case:ask', label: 'Ask the security contact' }] },
    ],
  };

  it('wraps a row with a long label as tappable rows, never cut with "…"', () => {
    const [card] = renderReply(related) as [AdaptiveCard];
    expect(cardProblems(card)).toEqual([]);
    const rows = walk(card.body).filter((e) => e.selectAction !== undefined);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      type: 'Container',
      style: 'emphasis',
      selectAction: {
        type: 'Action.Submit',
        title: long,
        data: { actionId: 'show-entry', value: 'canada-c70' },
      },
      items: [{ type: 'TextBlock', wrap: true }],
    });
    expect(visible(cardText(rows[0]))).toContain(long);
    expect(cardText(card)).not.toContain('…');
    // A row of short labels stays an ordinary row of buttons.
    const sets = walk(card.body).filter((e) => e.type === 'ActionSet');
    expect(sets.flatMap((e) => e.actions as any[]).map((x) => x.title)).toEqual([
      'Ask the security contact',
    ]);
  });

  it('keeps the tappable rows after feedback, and drops them when a step is answered', () => {
    const [card] = renderReply({
      ...related,
      blocks: [...related.blocks, ...answer.blocks.slice(3)],
    }) as [AdaptiveCard];
    const row = collapseCard(card, { actionId: 'feedback', value: 'up:e1' }, 'Helpful')!;
    expect(walk(row.body).filter((e) => e.selectAction !== undefined)).toHaveLength(2);
    // Pressing a tappable row changes nothing in the card it came from.
    expect(collapseCard(card, { actionId: 'show-entry', value: 'canada-c70' }, long)).toBe(
      undefined,
    );
    const choice = walk(card.body).find((e) => e.type === 'Input.ChoiceSet')!;
    const whole = collapseCard(
      card,
      { actionId: 'checklist:answer', input: String(choice.id), value: 'devices=laptop' },
      'Laptop',
    )!;
    expect(walk(whole.body).some((e) => e.selectAction !== undefined)).toBe(false);
    for (const c of [row, whole]) expect(cardProblems(c)).toEqual([]);
  });
});

describe('answered cards', () => {
  it('mark the answer with a themed container style, not a fixed text colour', () => {
    const [card] = renderReply(answer) as [AdaptiveCard];
    const choice = walk(card.body).find((e) => e.type === 'Input.ChoiceSet')!;
    const pressed = { actionId: 'checklist:answer', input: String(choice.id), value: 'x' };
    for (const done of [
      collapseCard(card, pressed, 'Laptop')!,
      collapseCard(card, { actionId: 'feedback', value: 'up:e1' }, 'Helpful')!,
    ]) {
      const all = walk(done.body);
      const mark = all.find((e) => e.type === 'Container' && /Answered: /.test(cardText(e)));
      expect(mark).toMatchObject({ style: 'good' });
      // Text keeps the theme's own colour, so it reads on light, dark and high contrast.
      expect(all.filter((e) => e.type === 'TextBlock' && e.color !== undefined)).toEqual([]);
      expect(cardProblems(done)).toEqual([]);
    }
  });
});

describe('previews and repeated renders', () => {
  const sources = {
    type: 'sources' as const,
    sources: [
      {
        title: 'Guidance',
        publisher: 'NZSIS',
        date: '2025-03-01',
        url: 'https://example.govt.nz/g',
      },
    ],
    reviewed: '2026-01-10',
  };
  const reply = (...texts: string[]): Reply => ({
    kind: 'answer',
    blocks: [...texts.map((text) => ({ type: 'paragraph' as const, text })), sources],
  });

  it('previews the start of a reply as the whole reply read as plain text would', () => {
    const whole = (r: Reply) => replyToPlain(r).replace(/\s+/g, ' ').trim();
    for (const r of [
      reply(`**Gifts**\n\n${'Declare any gift over the threshold. '.repeat(40)}`),
      reply('Short.', 'Also short.'),
      reply('Short.'),
    ]) {
      const preview = summaryOf(r);
      expect(preview.length).toBeLessThanOrEqual(120);
      const full = whole(r);
      expect(preview).toBe(full.length <= 120 ? full : `${full.slice(0, 119)}…`);
    }
    // A short reply's preview reaches its sources; a long one stops before them.
    expect(summaryOf(reply('Short.'))).toContain('Sources:');
    expect(plainStart(reply('x'.repeat(200)), 120)).not.toContain('Sources:');
    // As a callback of map, replyToPlain gives each reply whole.
    expect([reply('Short.')].map(replyToPlain)[0]).toContain('Sources:');
  });

  it('renders a curated text once, and no caller can change what the next one gets', () => {
    const text = curatedText('**Koha**\n\nSee [the policy](https://example.govt.nz/p).\n\n- one');
    const first = toTeamsMarkdown(text);
    first.push('changed');
    const second = toTeamsMarkdown(text);
    expect(second).toEqual(['**Koha**\n\nSee [the policy](https://example.govt.nz/p).\n\n- one']);
    expect(second).not.toBe(first);
  });
});
