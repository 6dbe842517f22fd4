/**
 * People talking to the bot through Slack: they type direct messages, press the buttons the
 * bot actually rendered (found in the recorded chat.postMessage blocks) and tick checkboxes.
 * Because Bolt acks before the work is done, every step waits for the stub to see the reply.
 */
import { coreActionId, MULTI_DONE } from '../../adapters/slack/blocks.js';
import { type SlackResponse, type SlackStack, TEAM, triggerId } from './harness.js';
import { type ApiCall, dmOf, NAMES, textOf } from './stub.js';

type Element = Record<string, any>;

/** Finds an interactive element in a recorded message, with the block_id Slack would give it. */
export function findElement(
  call: ApiCall,
  test: (el: Element) => boolean,
): { el: Element; blockId: string; block: Element } | undefined {
  const blocks: Element[] = call.body.blocks ?? call.body.view?.blocks ?? [];
  for (const [i, block] of blocks.entries()) {
    for (const el of (block.elements ?? []) as Element[]) {
      if (test(el)) return { el, blockId: block.block_id ?? `b${i}`, block };
    }
  }
  return undefined;
}

/** A button by the core's action id and (optionally) its value. */
export const isButton = (id: string, value?: string) => (el: Element) =>
  el.type === 'button' &&
  coreActionId(el.action_id) === id &&
  (value === undefined || el.value === value);

/**
 * A block_actions payload, as Slack sends it for a press on a message in a DM. A press on a
 * message posted to someone else's DM (a replayed button) comes from the presser's own DM; a
 * press on a message in a channel comes from that channel.
 */
export function blockActionsPayload(
  user: string,
  call: ApiCall | undefined,
  action: Record<string, unknown>,
  state: Record<string, unknown> = {},
): Record<string, unknown> {
  const channelId = String(call?.body.channel ?? '');
  const own = call && ([user, dmOf(user)].includes(channelId) || /^[CG]/.test(channelId));
  const channel = own ? String(call.response?.channel ?? dmOf(user)) : dmOf(user);
  const ts = String(call?.response?.ts ?? '1700000000.000001');
  return {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0APP',
    token: 'legacy-token',
    container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
    trigger_id: triggerId(),
    team: { id: TEAM, domain: 'council' },
    channel: { id: channel, name: 'directmessage' },
    message: { type: 'message', ts, text: call?.body.text ?? '', blocks: call?.body.blocks ?? [] },
    state: { values: state },
    response_url: 'http://127.0.0.1:9/response',
    actions: [{ action_ts: `${Date.now() / 1000}`, ...action }],
  };
}

/** A Slack user in conversation with the bot. */
export class SlackUser {
  readonly name: string;
  constructor(
    private readonly s: SlackStack,
    readonly id: string,
  ) {
    this.name = NAMES[id] ?? id;
  }

  /** The DM channel with the bot. */
  get dm(): string {
    return dmOf(this.id);
  }

  /** Accepted posts to this user (by user id or DM channel). */
  posts(after = 0): ApiCall[] {
    return this.s.stub
      .posts(undefined, after)
      .filter((c) => [this.id, this.dm].includes(c.body.channel));
  }

  /** Waits for a post to this user whose text matches. */
  async expectPost(pattern: RegExp, after = 0, timeoutMs = 5000): Promise<ApiCall> {
    const [found] = await this.s.stub.waitFor(
      'chat.postMessage',
      (c) => c.ok && [this.id, this.dm].includes(c.body.channel) && pattern.test(textOf(c)),
      { after, timeoutMs },
    );
    return found!;
  }

  /** Types a direct message; resolves with the first reply matching `expect`. */
  async say(text: string, expect: RegExp): Promise<ApiCall> {
    const mark = this.s.stub.mark();
    const res = await this.s.slack.dm(this.id, text);
    if (res.status !== 200) throw new Error(`DM got HTTP ${res.status}`);
    return this.expectPost(expect, mark);
  }

  /** Sends a block_actions press of a rendered button; resolves with the HTTP answer. */
  async pressRaw(call: ApiCall, id: string, value?: string): Promise<SlackResponse> {
    const found = findElement(call, isButton(id, value));
    if (!found) throw new Error(`no ${id}=${value ?? '*'} button in:\n${textOf(call)}`);
    const { el, blockId } = found;
    return this.s.slack.interaction(
      blockActionsPayload(this.id, call, {
        type: 'button',
        action_id: el.action_id,
        block_id: blockId,
        text: el.text,
        ...(el.value !== undefined ? { value: el.value } : {}),
      }),
    );
  }

  /** Presses a rendered button; resolves with the first reply to this user matching `expect`. */
  async press(call: ApiCall, id: string, value: string | undefined, expect: RegExp) {
    const mark = this.s.stub.mark();
    const res = await this.pressRaw(call, id, value);
    if (res.status !== 200) throw new Error(`press got HTTP ${res.status}`);
    return this.expectPost(expect, mark);
  }

  /** Ticks checkboxes of a multiple choice, then presses its Done button. */
  async tick(call: ApiCall, values: string[], expect: RegExp): Promise<ApiCall> {
    const boxes = findElement(call, (el) => el.type === 'checkboxes');
    const done = findElement(call, (el) => el.type === 'button' && el.value === MULTI_DONE);
    if (!boxes || !done) throw new Error(`no checkboxes in:\n${textOf(call)}`);
    const selected = (boxes.el.options as Element[]).filter((o) => values.includes(o.value));
    if (selected.length !== values.length) throw new Error(`missing options ${values.join()}`);
    const mark = this.s.stub.mark();
    const state = {
      [boxes.blockId]: {
        [boxes.el.action_id]: { type: 'checkboxes', selected_options: selected },
      },
    };
    const res = await this.s.slack.interaction(
      blockActionsPayload(
        this.id,
        call,
        {
          type: 'button',
          action_id: done.el.action_id,
          block_id: done.blockId,
          text: done.el.text,
          value: MULTI_DONE,
        },
        state,
      ),
    );
    if (res.status !== 200) throw new Error(`Done got HTTP ${res.status}`);
    return this.expectPost(expect, mark);
  }
}
