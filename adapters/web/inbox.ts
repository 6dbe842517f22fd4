import type { DeliveryResult, Notifier, Reply, UserRef } from '../../src/model.js';

/** Keeps messages the core sends later to web users, until the page fetches or streams them. */
export class WebInbox implements Notifier {
  readonly platform = 'web' as const;
  private readonly queues = new Map<string, Reply[]>();
  private readonly listeners = new Map<string, Set<(r: Reply) => void>>();
  private seq = 0;

  constructor(private readonly maxPerUser = 100) {}

  async notify(user: UserRef, replies: Reply[]): Promise<DeliveryResult> {
    const listeners = this.listeners.get(user.id);
    for (const reply of replies) {
      if (listeners?.size) {
        for (const l of listeners) l(reply);
      } else {
        const q = this.queues.get(user.id) ?? [];
        q.push(reply);
        // Oldest messages go first when a user never comes back; the core keeps the record.
        if (q.length > this.maxPerUser) q.splice(0, q.length - this.maxPerUser);
        this.queues.set(user.id, q);
      }
    }
    this.seq += 1;
    return { ok: true, messageId: `web-${this.seq}` };
  }

  /** Returns and removes the queued messages for a user. */
  drain(userId: string): Reply[] {
    const q = this.queues.get(userId) ?? [];
    this.queues.delete(userId);
    return q;
  }

  /** Streams new messages for a user; returns an unsubscribe function. Queued ones are sent first. */
  subscribe(userId: string, listener: (r: Reply) => void): () => void {
    for (const r of this.drain(userId)) listener(r);
    const set = this.listeners.get(userId) ?? new Set();
    set.add(listener);
    this.listeners.set(userId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(userId);
    };
  }
}
