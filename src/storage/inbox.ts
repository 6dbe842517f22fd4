import type { Reply } from '../model.js';

/** One message kept for a web user, with an id unique across every process on the store. */
export interface InboxRecord {
  id: number;
  reply: Reply;
  /** Sent over a stream or fetched from the inbox at least once. */
  seen: boolean;
  /** For an update: the id of the earlier message whose content this replaces. */
  replaces?: number;
}

/** One message to keep. */
export interface InboxItem {
  reply: Reply;
  replaces?: number;
}

/**
 * The web chat's recent messages, kept where every replica can read them (PostgreSQL). The
 * file store has no such thing: one process keeps its web inbox in memory.
 */
export interface InboxStore {
  /**
   * Keeps `items` for a user, in order, with ids higher than any the user has. With a delivery
   * `key` already kept (a message delivered a second time), nothing is added and the stored
   * messages come back, so the user sees it once.
   */
  append(userId: string, items: InboxItem[], key?: string): Promise<InboxRecord[]>;
  /** New content for a message kept earlier (a case card redrawn in place). */
  replaceContent(userId: string, id: number, reply: Reply): Promise<void>;
  /** The user's kept messages with ids above `after` (all kept when absent), oldest first. */
  list(userId: string, after?: number): Promise<InboxRecord[]>;
  markSeen(userId: string, ids: number[]): Promise<void>;
  /** The highest id handed out so far, for anyone. */
  lastId(): Promise<number>;
  /**
   * Calls `listener` with the user id whenever any process keeps a message for that user.
   * Resolves once listening; the function it resolves with stops it.
   */
  watch(listener: (userId: string) => void): Promise<() => Promise<void>>;
}
