import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { DeliveryResult, Notifier, Reply, UserRef } from '../../src/model.js';
import { renderReplies } from './blocks.js';

/**
 * The core's Notifier for Slack: a direct message to a user (U...), or a post to a channel
 * (C.../G...). If a direct message fails and a notify channel is set, it posts there instead,
 * mentioning the user. It never throws: failures come back for the core's outbox to retry.
 */
export class SlackNotifier implements Notifier {
  readonly platform = 'slack' as const;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly logger: Logger,
    private readonly notifyChannel?: string,
  ) {}

  private async post(channel: string, replies: Reply[], prefix?: string): Promise<string> {
    let first = '';
    for (const [i, m] of renderReplies(replies).entries()) {
      const blocks =
        i === 0 && prefix
          ? [
              { type: 'section' as const, text: { type: 'mrkdwn' as const, text: prefix } },
              ...m.blocks,
            ]
          : m.blocks;
      const res = await this.client.chat.postMessage({
        channel,
        text: m.text,
        blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!first) first = `${res.channel ?? channel}:${res.ts ?? ''}`;
    }
    return first;
  }

  async notify(user: UserRef, replies: Reply[]): Promise<DeliveryResult> {
    try {
      return { ok: true, messageId: await this.post(user.id, replies) };
    } catch (err) {
      const error = slackError(err);
      if (this.notifyChannel && /^[UW]/.test(user.id)) {
        this.logger.warn(
          { user: user.id, error },
          'direct message failed; posting to the notify channel',
        );
        try {
          return {
            ok: true,
            messageId: await this.post(this.notifyChannel, replies, `For <@${user.id}>:`),
          };
        } catch (err2) {
          return { ok: false, error: `${error}; notify channel: ${slackError(err2)}` };
        }
      }
      return { ok: false, error };
    }
  }

  async update(_user: UserRef, messageId: string, replies: Reply[]): Promise<DeliveryResult> {
    const [channel, ts] = messageId.split(':');
    const [m] = renderReplies(replies);
    if (!channel || !ts || !m) return { ok: false, error: 'nothing to update' };
    try {
      await this.client.chat.update({ channel, ts, text: m.text, blocks: m.blocks });
      return { ok: true, messageId };
    } catch (err) {
      return { ok: false, error: slackError(err) };
    }
  }
}

/** A short, loggable description of a Web API error. */
export function slackError(err: unknown): string {
  const e = err as { data?: { error?: string }; code?: string; message?: string };
  return e.data?.error ?? e.code ?? e.message ?? String(err);
}
