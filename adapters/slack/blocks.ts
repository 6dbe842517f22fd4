import type { types } from '@slack/bolt';
import { formatDate } from '../../src/clock.js';
import { type Inline, parseMarkdown } from '../../src/markdown.js';
import type { Block, Reply } from '../../src/model.js';
import { replyToPlain } from '../../src/replies.js';

type KnownBlock = types.KnownBlock;
type ActionsElement = types.ActionsBlockElement;

/** Block Kit limits we respect (Slack rejects messages beyond them). */
export const LIMITS = {
  sectionText: 3000,
  blocksPerMessage: 50,
  buttonText: 75,
  value: 2000,
  optionText: 75,
  elementsPerActions: 25,
};

/** Escapes text for mrkdwn: `<`, `>` and `&` are Slack's control characters (mentions, links). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const truncate = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

function inlineToMrkdwn(inlines: Inline[]): string {
  return inlines
    .map((i) => {
      if (i.type === 'bold') return `*${escapeSlack(i.text)}*`;
      if (i.type === 'link') {
        // Only well-formed http(s) links become links; anything odd is shown as text.
        const safe = /^https?:\/\/[^\s<>|]+$/.test(i.url);
        return safe
          ? `<${i.url}|${escapeSlack(i.text).replace(/\|/g, '∣')}>`
          : escapeSlack(`${i.text} (${i.url})`);
      }
      return escapeSlack(i.text);
    })
    .join('');
}

/**
 * A small memo for pure renders: the same guidance text and dates are rendered again for
 * every person who asks, so each distinct input is parsed once. Oldest out beyond `max`.
 */
function memo(fn: (s: string) => string, max = 500): (s: string) => string {
  const cache = new Map<string, string>();
  return (s) => {
    let out = cache.get(s);
    if (out === undefined) {
      out = fn(s);
      cache.set(s, out);
      if (cache.size > max) cache.delete(cache.keys().next().value as string);
    }
    return out;
  };
}

const date = memo(formatDate);

/** Converts markdown-subset text to mrkdwn. Every piece of text is escaped. */
export const toMrkdwn = memo(renderMrkdwn);

function renderMrkdwn(text: string): string {
  return parseMarkdown(text)
    .map((b) =>
      b.type === 'para'
        ? inlineToMrkdwn(b.inlines)
        : b.items.map((item) => `• ${inlineToMrkdwn(item)}`).join('\n'),
    )
    .join('\n\n');
}

/** Splits mrkdwn into pieces under the section limit, at paragraph, line or word boundaries. */
export function splitText(text: string, max = LIMITS.sectionText): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = window.lastIndexOf('\n\n');
    if (cut < max / 2) cut = window.lastIndexOf('\n');
    if (cut < max / 2) cut = window.lastIndexOf(' ');
    if (cut <= 0) cut = max;
    // Never cut inside a <link|label> or an &entity;.
    const head = rest.slice(0, cut);
    const open = head.lastIndexOf('<');
    if (open > head.lastIndexOf('>') && open > 0) cut = open;
    const amp = rest.slice(0, cut).lastIndexOf('&');
    if (amp > cut - 6 && !rest.slice(amp, cut).includes(';') && amp > 0) cut = amp;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

const section = (text: string): KnownBlock[] =>
  splitText(text).map((t) => ({ type: 'section', text: { type: 'mrkdwn', text: t } }));

/** Action ids must be unique in a message, so each carries its position after a "#". */
export function actionId(id: string, n: number): string {
  return `${id}#${n}`;
}

/** The core's action id from a Block Kit action id. */
export function coreActionId(slackActionId: string): string {
  return slackActionId.split('#')[0] ?? slackActionId;
}

function button(
  id: string,
  n: number,
  label: string,
  value: string | undefined,
  style?: 'primary' | 'danger' | 'default',
): types.Button {
  return {
    type: 'button',
    action_id: actionId(id, n),
    text: { type: 'plain_text', text: truncate(label, LIMITS.buttonText), emoji: false },
    ...(value !== undefined ? { value: value.slice(0, LIMITS.value) } : {}),
    ...(style && style !== 'default' ? { style } : {}),
  };
}

function actions(elements: ActionsElement[]): KnownBlock[] {
  const out: KnownBlock[] = [];
  for (let i = 0; i < elements.length; i += LIMITS.elementsPerActions) {
    out.push({ type: 'actions', elements: elements.slice(i, i + LIMITS.elementsPerActions) });
  }
  return out;
}

/** The marker of a multiple-choice "Done" button: its checkboxes are read from the message state. */
export const MULTI_DONE = 'multi-done';

function blockToSlack(b: Block, counter: { n: number }): KnownBlock[] {
  switch (b.type) {
    case 'paragraph':
      return section(toMrkdwn(b.text));
    case 'notice': {
      const icon =
        b.tone === 'warning'
          ? ':warning:'
          : b.tone === 'success'
            ? ':white_check_mark:'
            : ':information_source:';
      return section(`${icon} ${escapeSlack(b.text)}`);
    }
    case 'sources': {
      const lines = b.sources.map((s) => {
        const safe = /^https?:\/\/[^\s<>|]+$/.test(s.url);
        const title = escapeSlack(s.title).replace(/\|/g, '∣');
        return `• ${safe ? `<${s.url}|${title}>` : title}, ${escapeSlack(s.publisher)}, ${date(s.date)}`;
      });
      const blocks = section(`*Sources*\n${lines.join('\n')}`);
      if (b.reviewed)
        blocks.push({
          type: 'context',
          elements: [{ type: 'mrkdwn', text: `Last reviewed ${date(b.reviewed)}` }],
        });
      return blocks;
    }
    case 'buttons':
      return actions(b.buttons.map((x) => button(x.id, counter.n++, x.label, x.value, x.style)));
    case 'choice': {
      const question = section(`*${escapeSlack(b.question)}*`);
      const options = b.options.map((o) => ({
        text: { type: 'plain_text' as const, text: truncate(o.label, LIMITS.optionText) },
        value: o.value.slice(0, 150),
      }));
      if (b.multiple) {
        // Checkboxes report each change; the Done button sends the whole selection.
        const boxes: types.Checkboxes = {
          type: 'checkboxes',
          action_id: actionId(`${b.id}!boxes`, counter.n++),
          options: options.slice(0, 10),
        };
        return [
          ...question,
          {
            type: 'actions',
            elements: [boxes, button(b.id, counter.n++, 'Done', MULTI_DONE, 'primary')],
          },
        ];
      }
      if (options.length <= 5)
        return [
          ...question,
          ...actions(b.options.map((o) => button(b.id, counter.n++, o.label, o.value))),
        ];
      const select: types.StaticSelect = {
        type: 'static_select',
        action_id: actionId(b.id, counter.n++),
        placeholder: { type: 'plain_text', text: 'Choose one' },
        options: options.slice(0, 100),
      };
      return [...question, { type: 'actions', elements: [select] }];
    }
  }
}

/** A Slack message: Block Kit blocks and the plain-text fallback used in notifications. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Renders replies as Slack messages, splitting any that would exceed 50 blocks. */
export function renderReplies(replies: Reply[]): SlackMessage[] {
  const out: SlackMessage[] = [];
  for (const reply of replies) {
    const counter = { n: 0 };
    const blocks = reply.blocks.flatMap((b) => blockToSlack(b, counter));
    const text = truncate(escapeSlack(replyToPlain(reply)), 3000) || 'Sister City Advisor';
    for (let i = 0; i < blocks.length; i += LIMITS.blocksPerMessage) {
      out.push({ text, blocks: blocks.slice(i, i + LIMITS.blocksPerMessage) });
    }
    if (!blocks.length) out.push({ text, blocks: [] });
  }
  return out;
}

/** An App Home view from the core's home replies. */
export function homeView(replies: Reply[]): types.HomeView {
  const counter = { n: 0 };
  const blocks = replies.flatMap((r) => [
    ...r.blocks.flatMap((b) => blockToSlack(b, counter)),
    { type: 'divider' } as KnownBlock,
  ]);
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
