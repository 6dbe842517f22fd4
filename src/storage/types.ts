import type { Platform } from '../model.js';

/** Identifies a user across platforms: `platform:workspace:id`. */
export type UserKey = string;

/** Builds the storage key for a user. */
export function userKey(user: { platform: Platform; id: string; workspace?: string }): UserKey {
  return [user.platform, user.workspace ?? '-', user.id].join(':');
}

/** Per-user conversation state. Flows (the checklist, the report form) keep their progress here. */
export interface ConversationState {
  updatedAt: string;
  /** The last guidance entry shown, so follow-ups can refer to it. */
  lastEntryId?: string;
  /** Progress of a multi-step flow; its owner defines the shape. */
  flow?: { name: string; data: Record<string, unknown> };
}

/** One Helpful / Not helpful click. */
export interface Feedback {
  at: string;
  user: UserKey;
  entryId: string;
  helpful: boolean;
}

/** One line of the audit log. Never holds the text of a user's message. */
export interface AuditEvent {
  at: string;
  type: string;
  actor?: UserKey;
  data?: Record<string, string | number | boolean | null>;
}

/** Durable storage the core needs. The file store and the memory store both pass `test/storage/contract.ts`. */
export interface Store {
  getConversation(user: UserKey): Promise<ConversationState | undefined>;
  /** Saves (or, with `undefined`, forgets) a user's state; resolves once it is durable. */
  setConversation(user: UserKey, state: ConversationState | undefined): Promise<void>;
  addFeedback(feedback: Feedback): Promise<void>;
  listFeedback(): Promise<Feedback[]>;
  audit(event: AuditEvent): Promise<void>;
  readAudit(): Promise<AuditEvent[]>;
  /** Flushes pending writes and releases the data directory. */
  close(): Promise<void>;
}
