import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import type { DeliveryResult, Notifier, Reply, UserRef } from '../../src/model.js';
import type { SentCards } from './collapse.js';
import type { ReferenceStore, StoredReference } from './references.js';
import { sendReplies } from './send.js';

/** What the notifier needs. */
export interface TeamsNotifierDeps {
  adapter: CloudAdapter;
  appId: string;
  refs: ReferenceStore;
  cards: SentCards;
  logger: Logger;
  /** A channel conversation id (19:...) for people the bot has no personal chat with. */
  notifyChannel?: string;
}

type Target = { ref: Partial<ConversationReference>; via: string } | { error: string };

/**
 * Sends the core's later messages (new cases, reminders, case updates) to Teams users as
 * proactive cards. It never throws: a failure is returned so the core's outbox retries.
 */
export class TeamsNotifier implements Notifier {
  readonly platform = 'teams' as const;

  constructor(private readonly deps: TeamsNotifierDeps) {}

  async notify(user: UserRef, replies: Reply[]): Promise<DeliveryResult> {
    const log = this.deps.logger.child({ to: user.id.slice(0, 80) });
    try {
      if (user.platform !== 'teams')
        return { ok: false, error: `not a Teams user (${user.platform})` };
      const target = this.target(user);
      if ('error' in target) {
        log.warn({ reason: target.error }, 'Teams notification has nowhere to go');
        return { ok: false, error: target.error };
      }
      if (target.via !== 'personal chat')
        log.info({ via: target.via }, 'Teams notification via channel');
      const toSend = target.via === 'notify channel' ? forWhom(user, replies) : replies;
      let messageId: string | undefined;
      let failure: unknown;
      await this.deps.adapter.continueConversationAsync(
        this.deps.appId,
        target.ref,
        async (ctx) => {
          // A proactive message starts a new message (POST .../activities), not a reply to the
          // made-up activity botbuilder invents for the continuation.
          ctx.onSendActivities(async (_ctx, activities, next) => {
            for (const a of activities) delete a.replyToId;
            return next();
          });
          // Caught here: an error thrown out of the logic would go to onTurnError and be lost.
          try {
            messageId = (await sendReplies(ctx, toSend, this.deps.cards)).at(-1);
          } catch (err) {
            failure = err;
          }
        },
      );
      if (failure) throw failure;
      return messageId ? { ok: true, messageId } : { ok: true };
    } catch (err) {
      const e = err as Error & { statusCode?: number };
      const error =
        `Teams rejected the message${e.statusCode ? ` (HTTP ${e.statusCode})` : ''}: ${e.message || 'no detail'}`.slice(
          0,
          300,
        );
      log.warn(
        { err: { message: e.message, statusCode: e.statusCode } },
        'Teams notification failed',
      );
      return { ok: false, error };
    }
  }

  /**
   * Where a message for this user goes: their personal chat; a channel, when the "user" is a
   * channel id (contacts may be a channel); else TEAMS_NOTIFY_CHANNEL.
   */
  private target(user: UserRef): Target {
    const { refs, notifyChannel } = this.deps;
    const personal = refs.forUser(user.id);
    if (personal) return { ref: personal, via: 'personal chat' };
    if (user.id.startsWith('19:')) {
      const ref = this.channelRef(user.id);
      return ref
        ? { ref, via: 'contact channel' }
        : { error: `no known service URL to reach Teams channel ${user.id}` };
    }
    const why = `the bot has no personal chat with Teams user ${user.id} (they have not installed or messaged it)`;
    if (!notifyChannel) return { error: `${why}, and TEAMS_NOTIFY_CHANNEL is not set` };
    const ref = this.channelRef(notifyChannel);
    if (!ref)
      return {
        error: `${why}, and TEAMS_NOTIFY_CHANNEL cannot be reached yet (no stored reference or service URL)`,
      };
    return { ref, via: 'notify channel' };
  }

  /**
   * A channel's stored reference (saved when the bot was added to the team or mentioned there),
   * or one built from the channel id and the newest known service URL, tenant and bot account:
   * Teams uses one service URL per region, so any conversation in the tenant supplies it.
   */
  private channelRef(channelId: string): Partial<ConversationReference> | undefined {
    const stored = this.deps.refs.forConversation(channelId);
    if (stored) return strip(stored);
    const any = this.deps.refs.newest();
    if (!any?.serviceUrl) return undefined;
    return {
      channelId: 'msteams',
      serviceUrl: any.serviceUrl,
      bot: any.bot,
      conversation: {
        id: channelId,
        isGroup: true,
        conversationType: 'channel',
        tenantId: any.conversation?.tenantId,
        name: '',
      },
    } as Partial<ConversationReference>;
  }
}

function strip(ref: StoredReference): Partial<ConversationReference> {
  const { savedAt: _ignored, ...rest } = ref;
  return rest;
}

/** Says, on the first card, who a message in the shared notify channel is for. */
function forWhom(user: UserRef, replies: Reply[]): Reply[] {
  const [first, ...rest] = replies;
  if (!first) return replies;
  const text = `For ${user.name ?? user.id}: they have no personal chat with Sister City Advisor in Teams yet, so this is posted here.`;
  return [{ ...first, blocks: [{ type: 'notice', tone: 'info', text }, ...first.blocks] }, ...rest];
}
