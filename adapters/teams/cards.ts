import { formatDate } from '../../src/clock.js';
import type { MdBlock } from '../../src/markdown.js';
import type { Block, Button, Reply } from '../../src/model.js';
import { plainStart } from '../../src/replies.js';
import { plainToTeams, renderMarkdown, toTeamsMarkdown } from './text.js';

/** One element of an Adaptive Card, as JSON. */
export type CardElement = { type: string } & Record<string, unknown>;

/** An Adaptive Card as sent to Teams. */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: CardElement[];
  msteams?: { width: 'Full' };
}

/** What Action.Submit carries; Teams adds the values of the card's inputs beside it. */
export interface SubmitData {
  actionId: string;
  value?: string;
  /** For a choice: the id of the input whose value is the answer. */
  input?: string;
}

/** The card schema version: 1.5 renders on Teams desktop, web and mobile. */
export const CARD_VERSION = '1.5';
/** Teams rejects messages over about 28 KB; cards stay under this, leaving room for the envelope. */
export const MAX_CARD_BYTES = 24 * 1024;
/** The attachment content type Teams expects for Adaptive Cards. */
export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

const truncate = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
const STYLE = { primary: 'positive', danger: 'destructive', default: 'default' } as const;
const TONE = { info: 'accent', warning: 'warning', success: 'good' } as const;

function textBlocks(pieces: string[], extra: Record<string, unknown> = {}): CardElement[] {
  return pieces.map((text) => ({ type: 'TextBlock', text, wrap: true, ...extra }));
}

function submit(button: Button): CardElement {
  const data: SubmitData = { actionId: button.id };
  if (button.value !== undefined) data.value = button.value;
  return {
    type: 'Action.Submit',
    title: truncate(button.label, 80),
    ...(button.style && button.style !== 'default' ? { style: STYLE[button.style] } : {}),
    data,
  };
}

/**
 * Teams draws an action's title on one line and cuts it with "…" when the row is full, so a
 * row of buttons with a label longer than this is drawn as stacked, tappable rows that wrap.
 */
export const LONG_LABEL = 25;
/** Container styles, which Teams themes for light, dark and high contrast. */
const ROW_STYLE = { primary: 'accent', danger: 'attention', default: 'emphasis' } as const;

/** A button as a tappable container whose label wraps instead of being cut. */
function wrappedButton(button: Button): CardElement {
  return {
    type: 'Container',
    style: ROW_STYLE[button.style ?? 'default'],
    spacing: 'small',
    selectAction: { ...submit(button), title: button.label },
    items: textBlocks(plainToTeams(button.label).slice(0, 1), { weight: 'bolder' }),
  };
}

function buttonRow(buttons: Button[]): CardElement[] {
  if (!buttons.length) return [];
  if (buttons.some((b) => b.label.length > LONG_LABEL))
    return [{ type: 'Container', items: buttons.map(wrappedButton) }];
  return [{ type: 'ActionSet', actions: buttons.map(submit) }];
}

function sourcesBlocks(block: Extract<Block, { type: 'sources' }>): CardElement[] {
  const md: MdBlock[] = [
    { type: 'para', inlines: [{ type: 'bold', text: 'Sources' }] },
    {
      type: 'list',
      items: block.sources.map((s) => [
        { type: 'link', text: s.title, url: s.url },
        { type: 'text', text: `, ${s.publisher}, ${formatDate(s.date)}` },
      ]),
    },
  ];
  const out = textBlocks(renderMarkdown(md), { spacing: 'medium' });
  if (block.reviewed) {
    out.push(
      ...textBlocks(plainToTeams(`Last reviewed: ${formatDate(block.reviewed)}`), {
        isSubtle: true,
        size: 'small',
        spacing: 'none',
      }),
    );
  }
  return out;
}

/** Renders one neutral block as card elements, each a unit that is never split across cards. */
function renderBlock(block: Block, n: number): CardElement[] {
  switch (block.type) {
    case 'paragraph':
      return textBlocks(toTeamsMarkdown(block.text));
    case 'notice':
      return [
        {
          type: 'Container',
          style: TONE[block.tone],
          items: textBlocks(plainToTeams(block.text)),
        },
      ];
    case 'sources':
      return sourcesBlocks(block);
    case 'buttons':
      return buttonRow(block.buttons);
    case 'choice': {
      const input = `choice-${n}`;
      const data: SubmitData = { actionId: block.id, input };
      return [
        {
          type: 'Container',
          items: [
            {
              type: 'Input.ChoiceSet',
              id: input,
              // An input label is plain text, never markdown, so the question needs no escaping.
              label: truncate(block.question, 500),
              style: 'expanded',
              isMultiSelect: block.multiple === true,
              isRequired: true,
              errorMessage: block.multiple ? 'Choose at least one option.' : 'Choose an option.',
              choices: block.options.map((o) => ({
                title: truncate(o.label, 150),
                value: o.value,
              })),
            },
            {
              type: 'ActionSet',
              actions: [{ type: 'Action.Submit', title: 'Submit', style: 'positive', data }],
            },
          ],
        },
      ];
    }
  }
}

function emptyCard(): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body: [],
    msteams: { width: 'Full' },
  };
}

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

/** Renders a reply as one Adaptive Card, or several when it would be too large for one message. */
export function renderReply(reply: Reply): AdaptiveCard[] {
  const units = reply.blocks.flatMap((b, i) => renderBlock(b, i));
  const cards: AdaptiveCard[] = [];
  let card = emptyCard();
  let size = bytes(card);
  for (const unit of units) {
    const s = bytes(unit) + 1;
    if (card.body.length && size + s > MAX_CARD_BYTES) {
      cards.push(card);
      card = emptyCard();
      size = bytes(card);
    }
    card.body.push(unit);
    size += s;
  }
  if (card.body.length) cards.push(card);
  return cards;
}

/** A preview's length, in characters. */
const SUMMARY_CHARS = 120;

/** A short plain-text preview, shown in notifications and the activity feed. */
export function summaryOf(reply: Reply): string {
  return truncate(plainStart(reply, SUMMARY_CHARS).replace(/\s+/g, ' ').trim(), SUMMARY_CHARS);
}

/** Every element in a card, depth first, including those inside containers. */
export function walk(elements: CardElement[]): CardElement[] {
  return elements.flatMap((e) => [
    e,
    ...(Array.isArray(e.items) ? walk(e.items as CardElement[]) : []),
  ]);
}

/** True when a card has something to press or fill in. */
export function isInteractive(card: AdaptiveCard): boolean {
  return walk(card.body).some(
    (e) => e.type === 'ActionSet' || e.type.startsWith('Input.') || e.selectAction !== undefined,
  );
}
