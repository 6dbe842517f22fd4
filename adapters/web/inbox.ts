import type { DeliveryResult, Notifier, Reply, UserRef } from '../../src/model.js';

/** A message kept for a web user, numbered so a reconnecting page can ask for what it missed. */
export interface InboxMessage {
  id: number;
  reply: Reply;
  /** Sent over a stream or fetched from the inbox at least once. */
  seen: boolean;
  /** For an update: the id of the earlier message whose content this replaces. */
  replaces?: number;
}

/** What a page that polls gets: new messages, and new content for messages it already has. */
export interface Drained {
  messages: InboxMessage[];
  updates: InboxMessage[];
}

/**
 * What the web server needs from an inbox: WebInbox (in memory, one process) or StoredInbox
 * (kept by the core's store, shared by replicas), whose reads are asynchronous.
 */
export interface ChatInbox extends Notifier {
  /** The id of the newest message for anyone, to mark a point in time (see `withoutUpdated`). */
  lastId(): number | Promise<number>;
  /** `replies` without those just shown to this user as an update in place. */
  withoutUpdated(userId: string, after: number, replies: Reply[]): Reply[] | Promise<Reply[]>;
  /** Returns the messages and updates not yet seen, and marks them seen. */
  drain(userId: string): Drained | Promise<Drained>;
  /** Streams the backlog, then new messages, to a listener; returns an unsubscribe. */
  subscribe(userId: string, listener: (m: InboxMessage) => void, lastEventId?: number): () => void;
}

const MESSAGE_ID = /^web-(\d+)$/;

/**
 * Keeps the messages the core sends later to web users (the web chat's Notifier). Each user
 * keeps their last `maxPerUser` messages, numbered, so a page whose stream dropped can ask for
 * everything after the last id it saw (EventSource sends it as Last-Event-ID). An update is a
 * numbered message too, naming the message it replaces, so it is replayed the same way.
 */
export class WebInbox implements ChatInbox {
  readonly platform = 'web' as const;
  private readonly logs = new Map<string, InboxMessage[]>();
  private readonly listeners = new Map<string, Set<(m: InboxMessage) => void>>();
  private seq = 0;

  constructor(private readonly maxPerUser = 100) {}

  private add(userId: string, message: InboxMessage): void {
    const log = this.logs.get(userId) ?? [];
    this.logs.set(userId, log);
    log.push(message);
    // Oldest messages go first when a user never comes back; the core keeps the record.
    if (log.length > this.maxPerUser) log.splice(0, log.length - this.maxPerUser);
    for (const listener of this.listeners.get(userId) ?? []) listener(message);
  }

  async notify(user: UserRef, replies: Reply[]): Promise<DeliveryResult> {
    let last = 0;
    for (const reply of replies) {
      last = ++this.seq;
      this.add(user.id, { id: last, reply, seen: false });
    }
    return { ok: true, messageId: `web-${last}` };
  }

  /**
   * Replaces the content of a message sent earlier. Pages showing it redraw it in place (an
   * `update` event); a page that has not fetched it yet gets the new content in the first place.
   */
  async update(user: UserRef, messageId: string, replies: Reply[]): Promise<DeliveryResult> {
    const target = Number(MESSAGE_ID.exec(messageId)?.[1] ?? Number.NaN);
    const [reply, ...rest] = replies;
    if (!reply || rest.length || !Number.isInteger(target))
      return { ok: false, error: 'a web message is updated with exactly one reply' };
    const original = this.logs.get(user.id)?.find((m) => m.id === target);
    if (original) original.reply = reply;
    this.add(user.id, { id: ++this.seq, reply, seen: false, replaces: target });
    return { ok: true, messageId };
  }

  /** The id of the newest message for anyone, to mark a point in time (see `withoutUpdated`). */
  lastId(): number {
    return this.seq;
  }

  /**
   * Drops from `replies` any reply that was just (after message `after`) shown to this user as
   * an update in place, so a page does not get the same content twice: once redrawn, once new.
   */
  withoutUpdated(userId: string, after: number, replies: Reply[]): Reply[] {
    const updated = new Set(
      (this.logs.get(userId) ?? [])
        .filter((m) => m.id > after && m.replaces !== undefined)
        .map((m) => JSON.stringify(m.reply)),
    );
    return updated.size ? replies.filter((r) => !updated.has(JSON.stringify(r))) : replies;
  }

  /** Returns the messages and updates not yet seen, and marks them seen. */
  drain(userId: string): Drained {
    const unseen = (this.logs.get(userId) ?? []).filter((m) => !m.seen);
    for (const m of unseen) m.seen = true;
    return {
      messages: unseen.filter((m) => m.replaces === undefined),
      updates: unseen.filter((m) => m.replaces !== undefined),
    };
  }

  /**
   * Streams messages to a listener: first the backlog (everything after `lastEventId` when the
   * page says what it saw, otherwise what nobody has seen), then new ones. Returns an unsubscribe.
   */
  subscribe(userId: string, listener: (m: InboxMessage) => void, lastEventId?: number): () => void {
    const backlog = (this.logs.get(userId) ?? []).filter((m) =>
      lastEventId === undefined ? !m.seen : m.id > lastEventId,
    );
    const wrapped = (m: InboxMessage) => {
      m.seen = true;
      listener(m);
    };
    for (const m of backlog) wrapped(m);
    const set = this.listeners.get(userId) ?? new Set();
    set.add(wrapped);
    this.listeners.set(userId, set);
    return () => {
      set.delete(wrapped);
      if (set.size === 0) this.listeners.delete(userId);
    };
  }
}
