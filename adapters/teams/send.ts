import type { Activity, TurnContext } from 'botbuilder';
import { ChecklistActions } from '../../src/checklist/render.js';
import type { Reply } from '../../src/model.js';
import {
  type AdaptiveCard,
  CARD_CONTENT_TYPE,
  isInteractive,
  renderReply,
  summaryOf,
} from './cards.js';
import type { SentCards } from './collapse.js';

/** True when a reply is a checklist question (a step card), which typed text can answer. */
export function isStepReply(reply: Reply): boolean {
  return reply.blocks.some(
    (b) =>
      (b.type === 'choice' && b.id === ChecklistActions.answer) ||
      (b.type === 'buttons' && b.buttons.some((x) => x.id === ChecklistActions.cancel)),
  );
}

/** A message activity carrying one card. */
export function cardActivity(card: AdaptiveCard, summary: string): Partial<Activity> {
  return {
    type: 'message',
    summary,
    attachments: [{ contentType: CARD_CONTENT_TYPE, content: card }],
  };
}

/**
 * Sends replies as cards in one batch and remembers the interactive ones, so a later press
 * can update them in place. Resolves with the new activity ids.
 */
export async function sendReplies(
  ctx: TurnContext,
  replies: Reply[],
  cards: SentCards,
): Promise<string[]> {
  const out: { card: AdaptiveCard; step: boolean; summary: string }[] = [];
  for (const reply of replies) {
    const step = isStepReply(reply);
    const summary = summaryOf(reply);
    for (const card of renderReply(reply)) out.push({ card, step, summary });
  }
  if (!out.length) return [];
  const responses = await ctx.sendActivities(out.map((o) => cardActivity(o.card, o.summary)));
  const conversationId = ctx.activity.conversation?.id ?? '';
  const ids: string[] = [];
  responses.forEach((r, i) => {
    const sent = out[i];
    if (!r?.id || !sent) return;
    ids.push(r.id);
    if (isInteractive(sent.card)) cards.remember(conversationId, r.id, sent.card, sent.step);
  });
  return ids;
}
