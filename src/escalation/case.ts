import type { UserRef } from '../model.js';
import type { StoredFlag, SummaryLine } from '../storage/index.js';

/** Where a case came from. */
export type CaseSource = 'pretrip' | 'debrief' | 'question' | 'report';

/** A case's status. `resolved` and `closed` are final. */
export type CaseStatus = 'new' | 'acknowledged' | 'info-requested' | 'resolved' | 'closed';

/** Which configured contact a message goes to. */
export type ContactRole = 'primary' | 'backup';

/** One thing that happened to a case. */
export interface CaseEvent {
  at: string;
  /** A user key, or "system". */
  actor: string;
  type:
    | 'raised'
    | 'acknowledged'
    | 'info-requested'
    | 'info-provided'
    | 'resolved'
    | 'closed'
    | 'reminded'
    | 'sent-to-backup'
    | 'handed-to-backup'
    | 'unauthorised-attempt';
  note?: string;
  /** For an unauthorised attempt: how many times this actor tried (one event per actor per case). */
  count?: number;
  /** For an unauthorised attempt: when this actor last tried. */
  lastAt?: string;
}

/** One message to deliver, kept in the case before it is sent (the outbox). */
export interface CaseNotification {
  id: string;
  /** Who it is for. */
  to: ContactRole | 'reporter';
  user: UserRef;
  kind: 'new-case' | 'reminder' | 'backup' | 'status' | 'info-request' | 'info-provided';
  /** Extra text for the message (the contact's question, the outcome note). */
  text?: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  sentAt?: string;
  messageId?: string;
  lastError?: string;
}

/** A case for the security contact. */
export interface Case {
  /** Readable id, e.g. SC-2026-0042. */
  id: string;
  reporter: UserRef;
  raisedAt: string;
  source: CaseSource;
  summary: string;
  /** The reporter's own words, for a question or a report. */
  details?: string;
  flags: StoredFlag[];
  answers: SummaryLine[];
  /** The trip or report record behind the case. */
  recordId?: string;
  status: CaseStatus;
  /** Who is expected to act now. */
  assignedTo: ContactRole;
  /** When the case must be acknowledged by. */
  ackDueAt: string;
  /** When the next reminder is due, while unacknowledged. */
  nextReminderAt?: string;
  remindersSent: number;
  /** Set once the case has gone to the backup contact. */
  backupNotifiedAt?: string;
  /** Set when the acknowledgement deadline passed and was acted on (once). */
  deadlinePassedAt?: string;
  /** Set when the case reaches a final status. */
  closedAt?: string;
  history: CaseEvent[];
  notifications: CaseNotification[];
}

/** Moves allowed between statuses; anything else is refused. */
const TRANSITIONS: Record<CaseStatus, CaseStatus[]> = {
  new: ['acknowledged', 'info-requested', 'resolved', 'closed'],
  acknowledged: ['info-requested', 'resolved', 'closed'],
  'info-requested': ['acknowledged', 'info-requested', 'resolved', 'closed'],
  resolved: [],
  closed: [],
};

/** True when a case may move from `from` to `to`. */
export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** True for resolved and closed cases. */
export function isFinal(status: CaseStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

/** True while a case still has messages to deliver. */
export function hasPending(c: Case): boolean {
  return c.notifications.some((n) => n.status === 'pending');
}

/** People-friendly names for statuses. */
export const STATUS_LABEL: Record<CaseStatus, string> = {
  new: 'new',
  acknowledged: 'acknowledged',
  'info-requested': 'more information requested',
  resolved: 'resolved',
  closed: 'closed with no action',
};
