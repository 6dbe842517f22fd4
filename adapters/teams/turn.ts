import type { Activity, ChannelAccount, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Bot } from '../../src/bot.js';
import type { Reply } from '../../src/model.js';
import { smallTalkReply } from '../../src/replies.js';
import { isPersonal, toIncoming } from './activity.js';
import type { SubmitData } from './cards.js';
import { answeredLabel, collapseCard, type SentCards } from './collapse.js';
import type { ReferenceStore } from './references.js';
import { cardActivity, isStepReply, sendReplies } from './send.js';

/** What a turn needs. */
export interface TurnDeps {
  /** Only `handle` is used, so any surface-neutral bot (or a test double) will do. */
  bot: Pick<Bot, 'handle'>;
  refs: ReferenceStore;
  cards: SentCards;
  logger: Logger;
}

/** Reply kinds that mean the core treated typed text as a question, not as a step's answer. */
const QUESTION_KINDS = new Set<Reply['kind']>(['answer', 'no-guidance', 'declined', 'small-talk']);

/** A step asked again with a warning: the answer was not accepted. */
const isReasked = (r: Reply) =>
  isStepReply(r) && r.blocks[0]?.type === 'notice' && r.blocks[0].tone === 'warning';

const isBot = (members: ChannelAccount[] | undefined, activity: Partial<Activity>) =>
  (members ?? []).some((m) => m.id === activity.recipient?.id);

/** The turn logic: learns conversation references and answers messages with cards. */
export function createTurnLogic(deps: TurnDeps): (ctx: TurnContext) => Promise<void> {
  const { bot, refs, cards, logger } = deps;

  async function onInstalled(ctx: TurnContext): Promise<void> {
    // Awaited: a contact who has just installed the bot must be reachable by the next case.
    await refs.remember(ctx.activity);
    logger.info(
      { conversationType: ctx.activity.conversation?.conversationType ?? 'personal' },
      'Teams app installed; conversation reference saved',
    );
    if (isPersonal(ctx.activity)) await sendReplies(ctx, [smallTalkReply('greeting')], cards);
  }

  async function onRemoved(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    if (isPersonal(a) && a.from?.id) await refs.forgetUser(a.from.id);
    else if (a.conversation?.id) await refs.forgetConversation(a.conversation.id);
    logger.info('Teams app removed; conversation reference dropped');
  }

  /** Updates the card a reply answers, in place; a failure only costs the cosmetic update. */
  async function updateAnswered(
    ctx: TurnContext,
    activityId: string,
    pressed: SubmitData | undefined,
    label?: string,
  ): Promise<void> {
    const card = cards.take(activityId);
    if (!card) return;
    const text = label ?? (pressed ? answeredLabel(card, pressed, pressed.value) : '');
    const updated = collapseCard(card, pressed, text);
    if (!updated) return;
    try {
      await ctx.updateActivity({ ...cardActivity(updated, `Answered: ${text}`), id: activityId });
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not update the answered card');
    }
  }

  async function onMessage(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    // Not awaited: the reference is in memory at once, and the file write follows, merged with
    // other people's (a burst of new people would otherwise rewrite the file once each).
    void refs.remember(a, { lazy: true }).catch(() => undefined);
    const { incoming, pressed, typed } = toIncoming(a);
    const replies = await bot.handle(incoming);
    // An out-of-date button or an answer asked again was not accepted: its card stays open.
    const refused = replies.some((r) => r.kind === 'error' || isReasked(r));
    if (pressed && a.replyToId) {
      if (!refused) await updateAnswered(ctx, a.replyToId, pressed);
    } else if (typed !== undefined) {
      // Typed text that the checklist took as an answer closes the open step card.
      const open = cards.openStep(a.conversation?.id ?? '');
      const taken =
        replies.length > 0 && !refused && !replies.some((r) => QUESTION_KINDS.has(r.kind));
      if (open && taken) await updateAnswered(ctx, open, undefined, typed);
    }
    await sendReplies(ctx, replies, cards);
  }

  return async (ctx) => {
    const a = ctx.activity;
    switch (a.type) {
      case 'message':
        return onMessage(ctx);
      case 'conversationUpdate':
        if (isBot(a.membersAdded, a)) return onInstalled(ctx);
        if (isBot(a.membersRemoved, a)) return onRemoved(ctx);
        return;
      case 'installationUpdate':
        // Sent alongside conversationUpdate; only the reference matters here.
        if (a.action === 'add') await refs.remember(a);
        else if (a.action === 'remove') await onRemoved(ctx);
        return;
      default:
        logger.debug({ type: a.type }, 'Teams activity ignored');
    }
  };
}
