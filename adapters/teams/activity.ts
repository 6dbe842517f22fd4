import type { Activity } from 'botbuilder';
import { z } from 'zod';
import type { Incoming, UserRef } from '../../src/model.js';
import type { SubmitData } from './cards.js';

const id = z.string().min(1).max(1024);
const account = z.looseObject({ id, name: z.string().max(512).nullish() });

/**
 * The parts of an activity this adapter relies on, checked before botbuilder sees the request
 * (botbuilder answers a missing `type` with a 500 and a bad `serviceUrl` with a failed reply).
 */
export const ActivitySchema = z
  .looseObject({
    type: z.string().min(1).max(64),
    id: z.string().max(1024).nullish(),
    channelId: z.string().max(64).nullish(),
    serviceUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .nullish(),
    from: account.nullish(),
    recipient: account.nullish(),
    conversation: z.looseObject({ id }).nullish(),
    text: z.string().max(40_000).nullish(),
  })
  .superRefine((a, ctx) => {
    if (a.type !== 'message' && a.type !== 'conversationUpdate' && a.type !== 'installationUpdate')
      return;
    for (const key of ['serviceUrl', 'from', 'recipient', 'conversation'] as const) {
      if (!a[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required' });
    }
  });

/** A submitted card's data, if the activity is one. */
export function submitted(activity: Partial<Activity>): SubmitData | undefined {
  const value = activity.value as Record<string, unknown> | undefined;
  if (!value || typeof value !== 'object' || typeof value.actionId !== 'string') return undefined;
  const actionId = value.actionId.slice(0, 64);
  const input = typeof value.input === 'string' ? value.input.slice(0, 64) : undefined;
  const raw = input ? value[input] : value.value;
  const out: SubmitData = { actionId };
  // A multi-select choice arrives as the chosen values joined by commas, as the core expects.
  if (typeof raw === 'string') out.value = raw.slice(0, 2000);
  else if (input) out.value = '';
  if (input) out.input = input;
  return out;
}

/** Removes `<at>…</at>` mentions of the bot (and any leading mention) from the message text. */
export function stripMentions(activity: Partial<Activity>): string {
  let text = activity.text ?? '';
  const botId = activity.recipient?.id;
  for (const e of activity.entities ?? []) {
    const mentioned = (e as { mentioned?: { id?: string }; text?: string }).mentioned;
    const mentionText = (e as { text?: string }).text;
    if (e.type === 'mention' && mentioned?.id === botId && mentionText)
      text = text.split(mentionText).join(' ');
  }
  // Teams puts the bot's mention first; a client that sent no entity still gets it removed.
  text = text.replace(/^\s*(<at>[^<]*<\/at>\s*)+/i, '');
  return text
    .replace(/&nbsp;/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/** True for a one-to-one chat with the bot. */
export function isPersonal(activity: Partial<Activity>): boolean {
  const type = activity.conversation?.conversationType;
  return type ? type === 'personal' : activity.conversation?.isGroup !== true;
}

/** A channel conversation id without its `;messageid=` thread suffix. */
export function baseConversationId(conversationId: string): string {
  return conversationId.split(';')[0] ?? conversationId;
}

/** The Teams user behind an activity, as the core knows users. */
export function userOf(activity: Partial<Activity>): UserRef {
  const tenant =
    activity.conversation?.tenantId ??
    (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  return {
    platform: 'teams',
    id: activity.from?.id ?? '',
    ...(activity.from?.name ? { name: activity.from.name } : {}),
    ...(tenant ? { workspace: tenant } : {}),
  };
}

/** Translates a message activity into the core's neutral message. */
export function toIncoming(activity: Partial<Activity>): {
  incoming: Incoming;
  pressed?: SubmitData;
  typed?: string;
} {
  const conversationId = activity.conversation?.id ?? '';
  const thread = /;messageid=(\d+)/.exec(conversationId)?.[1];
  const conversation = {
    id: conversationId,
    kind: isPersonal(activity) ? ('direct' as const) : ('channel' as const),
    ...(thread ? { thread } : {}),
  };
  const user = userOf(activity);
  const pressed = submitted(activity);
  if (pressed) {
    const action = {
      id: pressed.actionId,
      ...(pressed.value !== undefined ? { value: pressed.value } : {}),
    };
    return { incoming: { user, conversation, action }, pressed };
  }
  const typed = stripMentions(activity);
  return { incoming: { user, conversation, text: typed }, typed };
}
