import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../../src/clock.js';
import type { Case, CaseNotification } from '../../src/escalation/case.js';
import { type CaseStore, FileCaseStore, MemoryCaseStore } from '../../src/escalation/case-store.js';
import { type Contacts, ContactsSchema } from '../../src/escalation/contacts.js';
import type { EscalationInput } from '../../src/escalation/escalator.js';
import { CaseService } from '../../src/escalation/service.js';
import { silentLogger } from '../../src/logger.js';
import type { DeliveryResult, Notifier, Platform, Reply, UserRef } from '../../src/model.js';
import { replyToPlain } from '../../src/replies.js';
import { FileStore, MemoryStore, type Store } from '../../src/storage/index.js';

/** Friday 27 November 2026, 2 pm in New Zealand (daylight time, UTC+13). */
export const START = '2026-11-27T01:00:00Z';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const PRIMARY: UserRef = { platform: 'web', id: 'sec', name: 'Sam Security' };
export const BACKUP: UserRef = { platform: 'web', id: 'sec-backup', name: 'Bo Backup' };
export const REPORTER: UserRef = { platform: 'web', id: 'aroha', name: 'Aroha' };
export const STRANGER: UserRef = { platform: 'web', id: 'mallory', name: 'Mallory' };

/** Contacts for service tests: web ids `sec` and `sec-backup`, 4 working hours, hourly reminders. */
export function testContacts(overrides: Record<string, unknown> = {}): Contacts {
  return ContactsSchema.parse({
    primary: { name: 'Sam Security', web: 'sec' },
    backup: { name: 'Bo Backup', web: 'sec-backup' },
    ackWorkingHours: 4,
    reminderMinutes: 60,
    ...overrides,
  });
}

/** One call the fake notifier received. */
export interface Sent {
  to: string;
  text: string;
  ok: boolean;
}

/**
 * A programmable Notifier, the network edge: records every call, and can fail or throw for
 * the next N calls to a user (or to everyone), be down for a user, or answer slowly.
 */
export class FakeNotifier implements Notifier {
  readonly calls: Sent[] = [];
  /** Calls per user id still to fail (key '*' for anyone). */
  private readonly failures = new Map<string, { n: number; mode: 'fail' | 'throw' }>();
  /** Users who never get through. */
  readonly down = new Set<string>();
  /** Milliseconds each send takes. */
  delayMs = 0;
  /** Runs at the start of each send, e.g. to look at storage mid-delivery. */
  before: ((user: UserRef) => Promise<void>) | undefined;

  constructor(readonly platform: Platform = 'web') {}

  failNext(n: number, userId = '*', mode: 'fail' | 'throw' = 'fail'): void {
    this.failures.set(userId, { n, mode });
  }

  async notify(user: UserRef, replies: Reply[]): Promise<DeliveryResult> {
    await this.before?.(user);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const text = replies.map(replyToPlain).join('\n\n');
    const rule = this.failures.get(user.id) ?? this.failures.get('*');
    const failing = this.down.has(user.id) || (rule !== undefined && rule.n > 0);
    this.calls.push({ to: user.id, text, ok: !failing });
    if (!failing) return { ok: true, messageId: `m${this.calls.length}` };
    if (rule && rule.n > 0) {
      rule.n -= 1;
      if (rule.mode === 'throw') throw new Error('socket hang up');
    }
    return { ok: false, error: 'HTTP 503 from the chat platform' };
  }

  /** Texts delivered (not failed) to a user. */
  delivered(userId: string): string[] {
    return this.calls.filter((c) => c.to === userId && c.ok).map((c) => c.text);
  }

  /** Every attempt to a user, failed or not. */
  attempts(userId: string): number {
    return this.calls.filter((c) => c.to === userId).length;
  }
}

/** A service over the given stores with a fake notifier and a clock that moves only when told. */
export function makeService(opts: {
  cases: CaseStore;
  store: Store;
  contacts?: Contacts;
  maxAttempts?: number;
  firstDeliveryTimeoutMs?: number;
}) {
  const clock = fixedClock(START);
  const notifier = new FakeNotifier();
  const service = new CaseService({
    cases: opts.cases,
    store: opts.store,
    contacts: opts.contacts ?? testContacts(),
    notifiers: new Map([['web', notifier]]),
    clock,
    logger: silentLogger(),
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.firstDeliveryTimeoutMs ? { firstDeliveryTimeoutMs: opts.firstDeliveryTimeoutMs } : {}),
  });
  return { service, clock, notifier };
}

/** What a staff member raises in tests. */
export function input(overrides: Partial<EscalationInput> = {}): EscalationInput {
  return {
    source: 'report',
    reporter: REPORTER,
    summary: 'Report a concern RP-2026-0001',
    details: 'A visitor asked for the port expansion plans.',
    flags: [],
    answers: [],
    ...overrides,
  };
}

/** A whole case, for store tests, with sensible defaults. */
export function makeCase(n: number, overrides: Partial<Case> = {}): Case {
  const raisedAt = new Date(Date.parse(START) + n * MINUTE).toISOString();
  return {
    id: `SC-2026-${String(n).padStart(4, '0')}`,
    reporter: REPORTER,
    raisedAt,
    source: 'question',
    summary: `Case number ${n}`,
    flags: [],
    answers: [],
    status: 'new',
    assignedTo: 'primary',
    ackDueAt: new Date(Date.parse(raisedAt) + 4 * HOUR).toISOString(),
    remindersSent: 0,
    history: [{ at: raisedAt, actor: 'web:-:aroha', type: 'raised' }],
    notifications: [],
    ...overrides,
  };
}

/** A notification in a given state. */
export function note(
  caseId: string,
  status: CaseNotification['status'],
  overrides: Partial<CaseNotification> = {},
): CaseNotification {
  return {
    id: `${caseId}/1`,
    to: 'reporter',
    user: REPORTER,
    kind: 'status',
    status,
    attempts: status === 'pending' ? 0 : 1,
    createdAt: START,
    nextAttemptAt: START,
    ...overrides,
  };
}

/** A finished case (resolved at `closedAt`) with everything sent. */
export function finished(n: number, closedAt: string, overrides: Partial<Case> = {}): Case {
  const c = makeCase(n, overrides);
  return {
    ...c,
    status: 'resolved',
    closedAt,
    notifications: [note(c.id, 'sent', { sentAt: closedAt })],
    ...overrides,
  };
}

/** A fresh temporary directory and its cleanup. */
export async function tempDir(prefix = 'sca-esc-') {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Storage for service tests: memory, or real files in a temporary data directory. */
export interface Backend {
  cases: CaseStore;
  store: Store;
  close(): Promise<void>;
}

export const BACKENDS: Record<'memory' | 'file', () => Promise<Backend>> = {
  memory: async () => ({
    cases: new MemoryCaseStore(),
    store: new MemoryStore(),
    close: async () => {},
  }),
  file: async () => {
    const { dir, cleanup } = await tempDir('sca-service-');
    const store = await FileStore.open(dir);
    const cases = await FileCaseStore.open(dir);
    return {
      cases,
      store,
      close: async () => {
        await store.close();
        await cleanup();
      },
    };
  },
};
