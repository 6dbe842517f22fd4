import type { DeliveryResult, Notifier, Reply, UserRef } from '../../src/model.js';

/** A message kept for a web user, numbered so a reconnecting page can ask for what it missed. */
export interface InboxMessage {
  id: number;
  reply: Reply;
  /** Sent over a stream or fetched from the inbox at least once. */
  seen: boolean;
}

/**
 * Keeps the messages the core sends later to web users (the web chat's Notifier). Each user
 * keeps their last `maxPerUser` messages, numbered, so a page whose stream dropped can ask for
 * everything after the last id it saw (EventSource sends it as Last-Event-ID).
 */
export class WebInbox implements Notifier {
  readonly platform = 'web' as const;
  private readonly logs = new Map<string, InboxMessage[]>();
  private readonly listeners = new Map<string, Set<(m: InboxMessage) => void>>();
  private seq = 0;

  constructor(private readonly maxPerUser = 100) {}

  async notify(user: UserRef, replies: Reply[]): Promise<DeliveryResult> {
    const log = this.logs.get(user.id) ?? [];
    this.logs.set(user.id, log);
    let last = 0;
    for (const reply of replies) {
      const message: InboxMessage = { id: ++this.seq, reply, seen: false };
      last = message.id;
      log.push(message);
      // Oldest messages go first when a user never comes back; the core keeps the record.
      if (log.length > this.maxPerUser) log.splice(0, log.length - this.maxPerUser);
      for (const listener of this.listeners.get(user.id) ?? []) listener(message);
    }
    return { ok: true, messageId: `web-${last}` };
  }

  /** Returns the messages not yet seen, and marks them seen. */
  drain(userId: string): Reply[] {
    const unseen = (this.logs.get(userId) ?? []).filter((m) => !m.seen);
    for (const m of unseen) m.seen = true;
    return unseen.map((m) => m.reply);
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
