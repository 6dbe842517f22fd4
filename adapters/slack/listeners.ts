import type { App, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { type Bot, detectCommand } from '../../src/bot.js';
import type { Action, Incoming, Reply, UserRef } from '../../src/model.js';
import { coreActionId, homeView, MULTI_DONE, renderReplies } from './blocks.js';
import { slackError } from './notifier.js';

/** Slack retries deliveries it thinks failed; each event is handled once. */
class SeenSet {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 5000) {}
  /** True the first time a key is seen. */
  first(key: string | undefined): boolean {
    if (!key) return true;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.max) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }
  has(key: string): boolean {
    return this.seen.has(key);
  }
}

/**
 * Core work, a few jobs at a time, each started after the I/O callbacks already waiting (so
 * acks that are due go first). Without the limit a burst's deferred jobs would all run in one
 * turn of the event loop, and acks arriving meanwhile would wait behind every one of them.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit = 4) {}

  /** Runs `job` when a slot is free, after pending I/O. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      return await job();
    } finally {
      // The slot passes straight to the next job, so the count stays right.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** True when the core takes the user's next message as free text. */
function awaitsText(replies: Reply[]): boolean {
  return replies.some((r) => r.awaitsText === true);
}

/** Runs slow work; if it takes over a second, posts "Working on it…" first. */
async function withProgress<T>(
  work: Promise<T>,
  onSlow: () => Promise<unknown>,
  ms = 1000,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), ms);
  });
  const first = await Promise.race([work, slow]);
  clearTimeout(timer);
  if (first === 'slow') {
    await onSlow().catch(() => undefined);
    return work;
  }
  return first as T;
}

/** Wires Slack events to the core. Each listener translates, calls the bot and posts the replies. */
export function registerListeners(
  app: App,
  bot: Bot,
  logger: Logger,
  firstSeen?: (key: string) => Promise<boolean>,
  seenTimeoutMs = 2000,
): void {
  const local = new SeenSet();
  /**
   * True the first time an event id is seen: here first (cheap), then in the store, which
   * every replica shares. If the store cannot answer, or does not answer within
   * `seenTimeoutMs` (Slack has had its ack and will not resend), the event is handled: a rare
   * repeat beats a lost message.
   */
  const seen = {
    async first(key: string | undefined): Promise<boolean> {
      if (!local.first(key)) return false;
      if (!key || !firstSeen) return true;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), seenTimeoutMs);
      });
      try {
        const first = await Promise.race([firstSeen(`slack:${key}`), late]);
        if (first !== 'late') return first;
        logger.warn(
          { waitedMs: seenTimeoutMs },
          'the store did not answer on a Slack event id in time; handling it',
        );
        return true;
      } catch (err) {
        logger.warn({ err }, 'could not check a Slack event id in the store; handling it');
        return true;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  const work = new WorkQueue();
  const names = new Map<string, string>();
  // People who have started a checklist, a report or a case. Only their records (trips and
  // cases) carry a name, so only they cost a users.info call; a question needs no name.
  const inFlow = new SeenSet();

  /** Looks a display name up once per user (then cached); falls back to the id. */
  async function lookUp(client: webApi.WebClient, id: string): Promise<string> {
    let name = names.get(id);
    if (name === undefined) {
      try {
        const info = await client.users.info({ user: id });
        name = info.user?.real_name || info.user?.name || id;
      } catch {
        name = id;
      }
      names.set(id, name);
      if (names.size > 5000) names.delete(names.keys().next().value as string);
    }
    return name;
  }

  /**
   * The core's view of a Slack user. The name is looked up only when what the user does can
   * lead to a record: a button, a modal, a command, or text from someone in a flow.
   */
  async function userRef(
    client: webApi.WebClient,
    id: string,
    team: string | undefined,
    why: 'record' | 'flow-start' | 'text',
  ): Promise<UserRef> {
    if (why !== 'text') inFlow.first(id);
    const needed = why === 'record' || (why === 'text' && inFlow.has(id));
    const name = needed ? await lookUp(client, id) : names.get(id);
    return {
      platform: 'slack',
      id,
      ...(name !== undefined ? { name } : {}),
      ...(team ? { workspace: team } : {}),
    };
  }

  /** What typed text implies for the name lookup: a command starts a flow. */
  const textWhy = (text: string) =>
    detectCommand(text) ? ('flow-start' as const) : ('text' as const);

  async function post(
    client: webApi.WebClient,
    channel: string,
    replies: Reply[],
    threadTs?: string,
  ): Promise<void> {
    for (const m of renderReplies(replies)) {
      await client.chat.postMessage({
        channel,
        text: m.text,
        blocks: m.blocks,
        unfurl_links: false,
        unfurl_media: false,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    }
  }

  async function run(
    client: webApi.WebClient,
    incoming: Incoming,
    channel: string,
    threadTs?: string,
  ): Promise<void> {
    const replies = await withProgress(bot.handle(incoming), () =>
      client.chat.postMessage({
        channel,
        text: 'Working on it…',
        ...(threadTs ? { thread_ts: threadTs } : {}),
      }),
    );
    await post(client, channel, replies, threadTs);
  }

  app.message(async ({ message, client, body }) => {
    const m = message as {
      channel_type?: string;
      subtype?: string;
      bot_id?: string;
      user?: string;
      text?: string;
      channel: string;
      team?: string;
    };
    if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user) return;
    if (!(await seen.first((body as { event_id?: string }).event_id))) return;
    const from = m.user;
    return work.run(async () => {
      const text = m.text ?? '';
      const team = m.team ?? (body as { team_id?: string }).team_id;
      const user = await userRef(client, from, team, textWhy(text));
      await run(client, { user, conversation: { id: m.channel, kind: 'direct' }, text }, m.channel);
    });
  });

  app.event('app_mention', async ({ event, client, body, context }) => {
    if (!event.user || !(await seen.first((body as { event_id?: string }).event_id))) return;
    const text = (event.text ?? '')
      .replace(new RegExp(`<@${context.botUserId ?? '[A-Z0-9]+'}>`, 'g'), '')
      .trim();
    const thread = event.thread_ts ?? event.ts;
    const from = event.user;
    return work.run(async () => {
      // A channel never runs a flow (the core keeps those private), so no name is needed.
      const user = await userRef(client, from, event.team, 'text');
      await run(
        client,
        { user, conversation: { id: event.channel, kind: 'channel', thread }, text },
        event.channel,
        thread,
      );
    });
  });

  app.command('/pretrip', async ({ ack, command, client }) => {
    await ack({
      response_type: 'ephemeral',
      text: 'Starting your pre-trip checklist in our direct messages.',
    });
    return work.run(async () => {
      const user = await userRef(client, command.user_id, command.team_id, 'flow-start');
      // The checklist runs in the DM with the bot; posting to a user id opens that DM.
      await run(
        client,
        { user, conversation: { id: command.user_id, kind: 'direct' }, text: 'pretrip' },
        command.user_id,
      );
    });
  });

  app.event('app_home_opened', async ({ event, client, body }) => {
    if (event.tab !== 'home') return;
    // The same workspace id as in messages, so the home tab finds the user's own trips and cases.
    return work.run(async () => {
      const user = await userRef(
        client,
        event.user,
        (body as { team_id?: string }).team_id,
        'text',
      );
      await client.views.publish({ user_id: event.user, view: homeView(await bot.home(user)) });
    });
  });

  app.action(/.*/, async ({ ack, body, action, client }) => {
    await ack();
    return work.run(async () => {
      const b = body as {
        user: { id: string; team_id?: string };
        channel?: { id: string };
        message?: { ts: string; thread_ts?: string; blocks?: unknown[] };
        container?: { type?: string };
        trigger_id?: string;
        state?: {
          values: Record<string, Record<string, { selected_options?: { value: string }[] }>>;
        };
      };
      const a = action as {
        action_id: string;
        value?: string;
        selected_option?: { value: string };
        type: string;
        action_ts?: string;
      };
      if (a.action_id.includes('!boxes')) return; // A checkbox change: the Done button sends the selection.
      if (!(await seen.first(`${b.user.id}:${a.action_id}:${a.action_ts ?? ''}`))) return;
      const id = coreActionId(a.action_id);
      let value = a.selected_option?.value ?? a.value;
      if (value === MULTI_DONE) {
        const picked = Object.values(b.state?.values ?? {})
          .flatMap((el) => Object.entries(el))
          .filter(([key]) => key.startsWith(`${id}!boxes`))
          .flatMap(([, v]) => v.selected_options?.map((o) => o.value) ?? []);
        if (!picked.length) {
          await client.chat.postMessage({
            channel: b.channel?.id ?? b.user.id,
            text: 'Tick at least one box, then press Done.',
          });
          return;
        }
        value = picked.join(',');
      }
      const user = await userRef(client, b.user.id, b.user.team_id, 'record');
      if (id === 'case:info' && b.trigger_id) {
        // "Ask for information" opens a modal, but only once the core has accepted the request
        // (it refuses anyone who is not a contact); the modal's text becomes the contact's note.
        const conversation = { id: b.channel?.id ?? b.user.id, kind: 'direct' as const };
        const replies = await bot.handle({
          user,
          conversation,
          action: { id, value: value ?? '' },
        });
        if (!awaitsText(replies)) {
          await post(client, conversation.id, replies);
          return;
        }
        await client.views.open({
          trigger_id: b.trigger_id,
          view: {
            type: 'modal',
            callback_id: 'case-info',
            notify_on_close: true,
            private_metadata: JSON.stringify({ caseId: value, channel: conversation.id }),
            title: { type: 'plain_text', text: 'Ask for information' },
            submit: { type: 'plain_text', text: 'Send' },
            close: { type: 'plain_text', text: 'Cancel' },
            blocks: [
              {
                type: 'input',
                block_id: 'question',
                label: {
                  type: 'plain_text',
                  text: `Your question for the reporter (${value ?? ''})`,
                },
                element: {
                  type: 'plain_text_input',
                  action_id: 'text',
                  multiline: true,
                  max_length: 1000,
                },
              },
            ],
          },
        });
        return;
      }
      const channel = b.channel?.id ?? b.user.id;
      const thread = b.message?.thread_ts;
      const incoming: Incoming = {
        user,
        conversation: {
          id: channel,
          kind: b.channel?.id?.startsWith('D') || !b.channel ? 'direct' : 'channel',
          ...(thread ? { thread } : {}),
        },
        action: { id, ...(value !== undefined ? { value } : {}) } as Action,
      };
      await run(client, incoming, channel, thread);
      if (b.container?.type === 'view') {
        await client.views
          .publish({ user_id: b.user.id, view: homeView(await bot.home(user)) })
          .catch((err) => logger.warn({ error: slackError(err) }, 'home refresh failed'));
      }
    });
  });

  app.view('case-info', async ({ ack, view, body, client }) => {
    await ack();
    const meta = JSON.parse(view.private_metadata || '{}') as { caseId?: string; channel?: string };
    const text = view.state.values.question?.text?.value ?? '';
    const user = await userRef(client, body.user.id, body.user.team_id ?? undefined, 'record');
    const conversation = { id: meta.channel ?? body.user.id, kind: 'direct' as const };
    // Ask again: the core checks who this is, and only a contact gets the prompt the text answers.
    const first = await bot.handle({
      user,
      conversation,
      action: { id: 'case:info', value: meta.caseId ?? '' },
    });
    const replies = awaitsText(first) ? await bot.handle({ user, conversation, text }) : first;
    await post(client, conversation.id, replies);
  });

  app.view({ callback_id: 'case-info', type: 'view_closed' }, async ({ ack, body, client }) => {
    await ack();
    // A closed modal withdraws the request, so the contact's next message is not taken as the question.
    const user = await userRef(client, body.user.id, body.user.team_id ?? undefined, 'record');
    await bot.handle({
      user,
      conversation: { id: body.user.id, kind: 'direct' },
      action: { id: 'case:cancel' },
    });
  });

  app.error(async (error) => {
    logger.error({ err: error }, 'slack listener failed');
  });
}
