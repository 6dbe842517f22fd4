import type { Platform, UserRef } from '../model.js';

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
  /** A one-off question the bot asked, whose answer is the user's next message. */
  prompt?: { kind: string; caseId?: string; entryId?: string };
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

/** One line of a checklist summary. */
export interface SummaryLine {
  stepId: string;
  label: string;
  answer: string;
}

/** A flag as stored on a record. */
export interface StoredFlag {
  id: string;
  severity: 'high' | 'warning' | 'info';
  title: string;
  advice: string;
  guidance?: string;
}

/** A finished checklist run (a pre-trip checklist or a debrief). */
export interface TripRecord {
  /** Readable id, e.g. TR-2026-0007. */
  id: string;
  checklist: string;
  user: UserRef;
  createdAt: string;
  /** Raw answers by step id, for machines. */
  answers: Record<string, unknown>;
  /** Readable answers, for people. */
  summary: SummaryLine[];
  flags: StoredFlag[];
  /** The escalation opened for this record, if any. */
  escalationId?: string;
  /** For a pre-trip checklist: the visit's last day (YYYY-MM-DD), when known. */
  endDate?: string;
  /** For a debrief: the trip it follows up. */
  tripId?: string;
}

/** A request for the security contact to look at something, kept until it is delivered. */
export interface EscalationRequest {
  id: string;
  at: string;
  source: 'pretrip' | 'debrief' | 'question' | 'report';
  reporter: UserRef;
  summary: string;
  flags: StoredFlag[];
  answers: SummaryLine[];
  tripId?: string;
  /** The reporter's own words, for a question or a report. */
  details?: string;
}

/** Work to do at a later time; kept durably so a restart loses nothing. */
export interface ScheduledJob {
  id: string;
  /** ISO timestamp when the job becomes due. */
  dueAt: string;
  kind: 'debrief';
  user: UserRef;
  tripId: string;
}

/**
 * A question the bot could not answer, kept (only when RECORD_UNANSWERED is on) so a curator can
 * see what guidance is missing. The text is redacted before it is stored, and no user id is kept.
 */
export interface UnansweredQuestion {
  /** When it was asked (ISO, UTC). */
  at: string;
  /** `no-guidance`: nothing answered it; `declined`: out of scope, declined in its own way. */
  outcome: 'no-guidance' | 'declined';
  /** The question with emails, phone numbers, links, @mentions and names redacted. */
  text: string;
  /** For a decline: its kind (legal, politics, ...). */
  declinedKind?: string;
  /** The closest guidance entry at the time, and its retrieval score, when there was one. */
  closestEntryId?: string;
  closestScore?: number;
}

/** Durable storage the core needs. The file store and the memory store both pass `test/storage/contract.ts`. */
export interface Store {
  getConversation(user: UserKey): Promise<ConversationState | undefined>;
  /** Saves (or, with `undefined`, forgets) a user's state; resolves once it is durable. */
  setConversation(user: UserKey, state: ConversationState | undefined): Promise<void>;
  /** Forgets the state of users idle since before `before` (ISO); resolves with how many. */
  pruneConversations(before: string): Promise<number>;
  addFeedback(feedback: Feedback): Promise<void>;
  listFeedback(): Promise<Feedback[]>;
  audit(event: AuditEvent): Promise<void>;
  readAudit(): Promise<AuditEvent[]>;
  /**
   * The next number in a named sequence (1, 2, 3...), durably, so ids are never reused. The
   * file store also starts each sequence above the highest id its records hold.
   */
  nextSequence(name: string): Promise<number>;
  /** Stores a trip record once: a record whose id is already stored is kept and this one dropped. */
  addTrip(trip: TripRecord): Promise<void>;
  /** True when a trip record with this id is stored. */
  hasTrip(id: string): Promise<boolean>;
  listTrips(user: UserKey): Promise<TripRecord[]>;
  getTrip(id: string): Promise<TripRecord | undefined>;
  addEscalationRequest(request: EscalationRequest): Promise<void>;
  listEscalationRequests(): Promise<EscalationRequest[]>;
  scheduleJob(job: ScheduledJob): Promise<void>;
  listJobs(): Promise<ScheduledJob[]>;
  removeJob(id: string): Promise<void>;
  /** Keeps a redacted unanswered question (see `UnansweredQuestion`). */
  addUnanswered(question: UnansweredQuestion): Promise<void>;
  /** Unanswered questions asked at or after `since` (ISO; all when absent), oldest first. */
  listUnanswered(since?: string): Promise<UnansweredQuestion[]>;
  /** Deletes unanswered questions asked before `before` (ISO); resolves with how many. */
  purgeUnanswered(before: string): Promise<number>;
  /**
   * Records `key` once, durably: resolves true for the first caller, false if it was already
   * recorded (by this process or another). Makes once-a-week work idempotent across restarts.
   */
  markOnce(key: string, at: string): Promise<boolean>;
  /** Forgets a key from `markOnce` (when the work it guarded failed and should be tried again). */
  unmarkOnce(key: string): Promise<void>;
  /**
   * Due jobs (`dueAt` at or before `now`), claimed for `owner` for `leaseMs`: a job another
   * process holds a live claim on is skipped, and a claim whose lease ran out (its process died)
   * is taken again. The file and memory stores serve one process, so they return every due job.
   */
  claimJobs(owner: string, now: string, leaseMs: number): Promise<ScheduledJob[]>;
  /** Gives up the job claims `owner` holds, so another process may take them at once. */
  releaseJobs(owner: string): Promise<void>;
  /**
   * Runs `fn` holding the lock named `name` (a user's turn, the cases), so work on one thing
   * happens one at a time: within this process for the file and memory stores, across every
   * process on the database for PostgreSQL. Names before the first ":" are lock families;
   * a holder may take a lock of another family, never one of its own.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * True the first time `key` (a platform's event id) is seen, false for a repeat such as a
   * platform's retry, in any process that shares this store.
   */
  firstSeen(key: string): Promise<boolean>;
  /** Forgets keys first seen before `before` (ISO); resolves with how many. */
  purgeSeen(before: string): Promise<number>;
  /**
   * Users with a flow in progress (a checklist run) whose state changed at or after `since`
   * (ISO). Read on every metrics scrape, so it must be cheap.
   */
  countFlows(since: string): Promise<number>;
  /**
   * Resolves when one cheap read succeeds, for a readiness probe; rejects with the reason when it
   * fails, and always after `close()`.
   */
  ready(): Promise<void>;
  /** Flushes pending writes and releases the data directory. */
  close(): Promise<void>;
}
