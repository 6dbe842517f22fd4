import type { DeliveryResult, Notifier, Reply, UserRef } from '../../src/model.js';
import type { InboxStore } from '../../src/storage/inbox.js';
import type { Drained, InboxMessage } from './inbox.js';

const MESSAGE_ID = /^web-(\d+)$/;

/**
 * The web chat's Notifier when several replicas share a database: messages are kept by the
 * core's InboxStore, and a replica holding a user's stream hears of new ones (from any replica)
 * through `watch`. It behaves as WebInbox does, with ids unique across replicas.
 */
export class StoredInbox implements Notifier {
  readonly platform = 'web' as const;
  /** Open streams on this replica, by user. Each sends a message once, in id order. */
  private readonly streams = new Map<string, Set<Stream>>();
  private unwatch: (() => Promise<void>) | undefined;

  constructor(private readonly store: InboxStore) {}

  /** Starts hearing about messages kept by any replica. */
  async start(): Promise<void> {
    this.unwatch = await this.store.watch((userId) => {
      const targets =
        userId === '*'
          ? [...this.streams.values()].flatMap((s) => [...s])
          : this.streams.get(userId);
      for (const stream of targets ?? []) stream.pull();
    });
  }

  /** Stops listening; open streams get nothing more. */
  async close(): Promise<void> {
    await this.unwatch?.();
    this.unwatch = undefined;
  }

  async notify(user: UserRef, replies: Reply[], opts?: { key?: string }): Promise<DeliveryResult> {
    const kept = await this.store.append(
      user.id,
      replies.map((reply) => ({ reply })),
      opts?.key,
    );
    return { ok: true, messageId: `web-${kept.at(-1)?.id ?? 0}` };
  }

  async update(user: UserRef, messageId: string, replies: Reply[]): Promise<DeliveryResult> {
    const target = Number(MESSAGE_ID.exec(messageId)?.[1] ?? Number.NaN);
    const [reply, ...rest] = replies;
    if (!reply || rest.length || !Number.isInteger(target))
      return { ok: false, error: 'a web message is updated with exactly one reply' };
    await this.store.replaceContent(user.id, target, reply);
    await this.store.append(user.id, [{ reply, replaces: target }]);
    return { ok: true, messageId };
  }

  lastId(): Promise<number> {
    return this.store.lastId();
  }

  async withoutUpdated(userId: string, after: number, replies: Reply[]): Promise<Reply[]> {
    const updated = new Set(
      (await this.store.list(userId, after))
        .filter((m) => m.replaces !== undefined)
        .map((m) => JSON.stringify(m.reply)),
    );
    return updated.size ? replies.filter((r) => !updated.has(JSON.stringify(r))) : replies;
  }

  async drain(userId: string): Promise<Drained> {
    const unseen = (await this.store.list(userId)).filter((m) => !m.seen);
    await this.store.markSeen(
      userId,
      unseen.map((m) => m.id),
    );
    return {
      messages: unseen.filter((m) => m.replaces === undefined),
      updates: unseen.filter((m) => m.replaces !== undefined),
    };
  }

  subscribe(userId: string, listener: (m: InboxMessage) => void, lastEventId?: number): () => void {
    const stream = new Stream(this.store, userId, listener, lastEventId);
    const set = this.streams.get(userId) ?? new Set();
    set.add(stream);
    this.streams.set(userId, set);
    stream.pull();
    return () => {
      stream.closed = true;
      set.delete(stream);
      if (set.size === 0) this.streams.delete(userId);
    };
  }
}

/** One open stream: pulls what it has not sent yet, one pull at a time. */
class Stream {
  closed = false;
  private after: number | undefined;
  private pulling: Promise<void> = Promise.resolve();
  private again = false;
  private busy = false;

  constructor(
    private readonly store: InboxStore,
    private readonly userId: string,
    private readonly listener: (m: InboxMessage) => void,
    lastEventId: number | undefined,
  ) {
    this.after = lastEventId;
  }

  /** Sends what arrived since the last pull; a pull asked for during one runs after it. */
  pull(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.pulling = this.pulling
      .then(async () => {
        do {
          this.again = false;
          const first = this.after === undefined;
          const kept = await this.store.list(this.userId, this.after ?? 0);
          // Without Last-Event-ID the first pull sends what nobody has seen, as WebInbox does.
          const fresh = first ? kept.filter((m) => !m.seen) : kept;
          if (kept.length) this.after = Math.max(this.after ?? 0, ...kept.map((m) => m.id));
          else this.after ??= 0;
          if (this.closed) return;
          for (const m of fresh) this.listener({ ...m, seen: true });
          await this.store.markSeen(
            this.userId,
            fresh.map((m) => m.id),
          );
        } while (this.again && !this.closed);
      })
      .catch(() => undefined)
      .finally(() => {
        this.busy = false;
      });
  }
}
