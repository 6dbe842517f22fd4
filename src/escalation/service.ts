import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Metrics } from '../metrics.js';
import type { Notifier, Platform, Reply, UserRef } from '../model.js';
import { type AuditEvent, type Store, userKey } from '../storage/index.js';
import { SerialQueue } from '../storage/serial.js';
import {
  type Case,
  type CaseEvent,
  type CaseNotification,
  type ContactRole,
  canTransition,
  isFinal,
  STATUS_LABEL,
} from './case.js';
import type { CaseStore } from './case-store.js';
import { type Contacts, contactRefs, roleOf } from './contacts.js';
import {
  type EscalationInput,
  type EscalationReceipt,
  type Escalator,
  nextId,
} from './escalator.js';
import { type CaseFilter, filterCases } from './filter.js';
import { type HolidayCalendar, nationalHolidays } from './holidays.js';
import { caseCard, casesListReply, notificationReply, reporterView } from './render.js';
import { addWorkingHours, workingHoursBetween } from './working-hours.js';

/** What the case service needs. */
export interface CaseServiceDeps {
  cases: CaseStore;
  store: Store;
  contacts: Contacts;
  notifiers: Map<Platform, Notifier>;
  clock: Clock;
  logger: Logger;
  /** Attempts per notification before it is marked failed. */
  maxAttempts?: number;
  /** How long to wait for the first delivery before telling the reporter; the outbox keeps trying after. */
  firstDeliveryTimeoutMs?: number;
  /** Counts cases raised, deliveries, reminders and missed deadlines. */
  metrics?: Pick<
    Metrics,
    'caseRaised' | 'delivery' | 'deliveryFailed' | 'reminder' | 'deadlineEscalation'
  >;
  /** Days that are not working days; defaults to New Zealand's national public holidays. */
  holidays?: HolidayCalendar;
  /**
   * The store's named lock (`Store.exclusive`): every change to a case is made under the
   * "cases" lock, so replicas sharing a database never overwrite each other's changes or send
   * a reminder twice. Without it, changes are one at a time within this process only.
   */
  exclusive?: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  /** This process's name on outbox claims (stores that support claims). */
  owner?: string;
  /** How long an outbox claim lasts before another process may take the message (ms). */
  claimLeaseMs?: number;
}

/** What a contact can do to a case. */
export type ContactAction = 'ack' | 'info' | 'resolve' | 'close' | 'backup';

/** What came of a contact's action: a sentence to show, and the case as it now is when it worked. */
export interface ActionOutcome {
  ok: boolean;
  tone: 'info' | 'warning' | 'success';
  message: string;
  case?: Case;
}

const MINUTE = 60_000;

function notice(text: string, tone: 'info' | 'warning' | 'success' = 'info'): Reply {
  return { kind: 'notice', blocks: [{ type: 'notice', tone, text }] };
}

/**
 * Cases for the security contact. Every change is saved, with the messages it must send, before
 * anything is sent (an outbox); delivery retries with backoff, survives restarts, and falls
 * back to the backup contact. Only configured contacts may act, and each action is idempotent.
 */
export class CaseService implements Escalator {
  /** One change at a time, so an action and a delivery never overwrite each other. */
  private readonly lock = new SerialQueue();
  private readonly maxAttempts: number;
  /** Messages being sent right now; an overlapping delivery skips them, so none is sent twice. */
  private readonly inFlight = new Set<string>();
  /** Unauthorised attempts on ids that are not open cases, by actor and id (bounded). */
  private readonly strangers = new Map<string, number>();
  /** Who to tell when a case changes (the console's live updates). */
  private readonly listeners = new Set<(caseId: string) => void>();

  constructor(private readonly deps: CaseServiceDeps) {
    this.maxAttempts = deps.maxAttempts ?? 5;
  }

  /** Runs `fn` as the one change to cases at a time: in this process, then across processes. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const { exclusive } = this.deps;
    return this.lock.run(() => (exclusive ? exclusive('cases', fn) : fn()));
  }

  private get owner(): string {
    return this.deps.owner ?? `pid-${process.pid}`;
  }

  private now(): Date {
    return this.deps.clock.now();
  }

  /** Saves a case and tells the listeners; a listener that throws is logged, never fatal. */
  private async save(c: Case): Promise<void> {
    await this.deps.cases.save(c);
    for (const listener of this.listeners) {
      try {
        listener(c.id);
      } catch (err) {
        this.deps.logger.warn({ err, caseId: c.id }, 'a case listener failed');
      }
    }
  }

  /** Calls `listener` with a case's id each time the case is saved. Returns an unsubscribe. */
  onChange(listener: (caseId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private event(c: Case, actor: string, type: CaseEvent['type'], note?: string): void {
    c.history.push({ at: this.now().toISOString(), actor, type, ...(note ? { note } : {}) });
  }

  private queue(
    c: Case,
    to: CaseNotification['to'],
    user: UserRef,
    kind: CaseNotification['kind'],
    text?: string,
  ): void {
    const at = this.now().toISOString();
    c.notifications.push({
      id: `${c.id}/${c.notifications.length + 1}`,
      to,
      user,
      kind,
      ...(text ? { text } : {}),
      status: 'pending',
      attempts: 0,
      createdAt: at,
      nextAttemptAt: at,
    });
  }

  private queueContact(
    c: Case,
    role: ContactRole,
    kind: CaseNotification['kind'],
    text?: string,
  ): number {
    const contact = role === 'primary' ? this.deps.contacts.primary : this.deps.contacts.backup;
    if (!contact) return 0;
    const refs = contactRefs(contact);
    for (const ref of refs) this.queue(c, role, ref, kind, text);
    return refs.length;
  }

  private async audit(
    type: string,
    actor: string,
    data: Record<string, string | number | boolean | null>,
  ): Promise<void> {
    await this.deps.store.audit({ at: this.now().toISOString(), type, actor, data });
  }

  /** Writes a case's `case-raised` audit line if a crash came between saving it and the audit. */
  private async auditRaisedOnce(c: Case): Promise<void> {
    const audit = await this.deps.store.readAudit();
    if (audit.some((e) => e.type === 'case-raised' && e.data?.caseId === c.id)) return;
    await this.audit('case-raised', userKey(c.reporter), { caseId: c.id, source: c.source });
  }

  /** Takes the next case id (SC-YYYY-NNNN) that no stored case has, for a case to be raised with it. */
  async reserveId(at: Date): Promise<string> {
    for (;;) {
      const id = await nextId(this.deps.store, 'SC', at);
      if (!(await this.deps.cases.get(id))) return id;
      this.deps.logger.error({ caseId: id }, 'case id already taken; skipping it');
    }
  }

  /**
   * Opens a case, saves it with its outbox, then tries the first delivery. With a reserved
   * `id` that is already a case (a finish retried after a crash), nothing new is raised: the
   * existing case is delivered if it still has messages to send, and its receipt returned.
   */
  async escalate(input: EscalationInput): Promise<EscalationReceipt> {
    const c = await this.locked(async () => {
      const existing = input.id ? await this.deps.cases.get(input.id) : undefined;
      if (existing && userKey(existing.reporter) === userKey(input.reporter)) {
        await this.auditRaisedOnce(existing);
        return existing;
      }
      const now = this.now();
      // Someone else's case under this id means ids were reissued: never overwrite it.
      if (existing)
        this.deps.logger.error({ caseId: existing.id }, 'case id already taken; using a new one');
      const id = (!existing && input.id) || (await this.reserveId(now));
      const created: Case = {
        id,
        reporter: input.reporter,
        raisedAt: now.toISOString(),
        source: input.source,
        summary: input.summary,
        ...(input.details ? { details: input.details } : {}),
        flags: input.flags,
        answers: input.answers,
        ...(input.tripId ? { recordId: input.tripId } : {}),
        status: 'new',
        assignedTo: 'primary',
        ackDueAt: this.addWorkingHours(now, this.deps.contacts.ackWorkingHours).toISOString(),
        nextReminderAt: this.nextReminder(now),
        remindersSent: 0,
        history: [],
        notifications: [],
      };
      this.event(created, userKey(input.reporter), 'raised');
      this.queueContact(created, 'primary', 'new-case');
      // Saved with its pending messages before any is sent: a crash now loses nothing.
      await this.save(created);
      this.deps.metrics?.caseRaised(input.source);
      await this.audit('case-raised', userKey(input.reporter), {
        caseId: id,
        source: input.source,
      });
      this.deps.logger.info(
        { caseId: id, source: input.source, reporter: userKey(input.reporter) },
        'case raised',
      );
      return created;
    });
    const timeout = this.deps.firstDeliveryTimeoutMs ?? 3000;
    await Promise.race([
      this.deliverCase(c.id),
      new Promise((r) => setTimeout(r, timeout).unref()),
    ]);
    const saved = await this.deps.cases.get(c.id);
    const notified =
      saved?.notifications.some((n) => n.to !== 'reporter' && n.status === 'sent') ?? false;
    return {
      id: c.id,
      notified,
      message: notified
        ? `Your council's security contact has been notified (case ${c.id}). You'll hear here when they pick it up.`
        : `Your case ${c.id} is saved, but I couldn't reach your security contact just now. I'll keep trying, and you'll hear here when they pick it up.`,
    };
  }

  /** Sends a case's due messages. Sends happen outside the lock; results are saved under it. */
  private async deliverCase(id: string): Promise<number> {
    if (this.deps.cases.claimDue) return this.deliverClaimed(id);
    const due = await this.locked(async () => {
      const c = await this.deps.cases.getActive(id);
      if (!c) return [];
      const now = this.now().toISOString();
      const claimed = c.notifications.filter(
        (n) => n.status === 'pending' && n.nextAttemptAt <= now && !this.inFlight.has(n.id),
      );
      for (const n of claimed) this.inFlight.add(n.id);
      return claimed.map((n) => ({ c, n }));
    });
    let sent = 0;
    for (const { c, n } of due) {
      try {
        if (await this.send(c, n)) sent++;
      } finally {
        this.inFlight.delete(n.id);
      }
    }
    return sent;
  }

  /**
   * Delivery from a store several processes share: due messages (of one case, or all) are
   * claimed in the database with a lease, so each goes out from one replica. The case is read
   * after the claim, and a message another replica has recorded as sent meanwhile is skipped.
   */
  private async deliverClaimed(caseId?: string): Promise<number> {
    const { cases } = this.deps;
    const claims =
      (await cases.claimDue?.(
        this.owner,
        this.now().toISOString(),
        this.deps.claimLeaseMs ?? 60_000,
        caseId,
      )) ?? [];
    let sent = 0;
    const byCase = new Map<string, string[]>();
    for (const claim of claims)
      byCase.set(claim.caseId, [...(byCase.get(claim.caseId) ?? []), claim.id]);
    for (const [id, ids] of byCase) {
      const c = await cases.getActive(id);
      for (const nid of ids) {
        const n = c?.notifications.find((x) => x.id === nid);
        if (!c || !n || n.status !== 'pending' || this.inFlight.has(n.id)) continue;
        this.inFlight.add(n.id);
        try {
          if (await this.send(c, n)) sent++;
        } finally {
          this.inFlight.delete(n.id);
        }
      }
    }
    return sent;
  }

  /** One delivery attempt of one message, recorded; true when it was delivered. */
  private async send(c: Case, n: CaseNotification): Promise<boolean> {
    const notifier = this.deps.notifiers.get(n.user.platform);
    let result: { ok: boolean; messageId?: string; error?: string };
    try {
      // The message id is its delivery key: a notifier that keeps keys shows a repeat once.
      result = notifier
        ? await notifier.notify(n.user, [notificationReply(c, n, this.now())], { key: n.id })
        : { ok: false, error: `no ${n.user.platform} connection is running` };
    } catch (err) {
      result = { ok: false, error: (err as Error).message };
    }
    this.deps.metrics?.delivery(result.ok);
    await this.recordAttempt(c.id, n.id, result);
    return result.ok;
  }

  /** Gives up this process's outbox claims, so another replica can send those messages now. */
  async releaseClaims(): Promise<void> {
    await this.deps.cases.releaseClaims?.(this.owner);
  }

  private async recordAttempt(
    caseId: string,
    notificationId: string,
    result: { ok: boolean; messageId?: string; error?: string },
  ): Promise<void> {
    await this.locked(async () => {
      const c = await this.deps.cases.getActive(caseId);
      const n = c?.notifications.find((x) => x.id === notificationId);
      if (!c || !n || n.status !== 'pending') return;
      n.attempts += 1;
      const now = this.now();
      if (result.ok) {
        n.status = 'sent';
        n.sentAt = now.toISOString();
        if (result.messageId) n.messageId = result.messageId;
      } else {
        n.lastError = (result.error ?? 'unknown error').slice(0, 300);
        if (n.attempts >= this.maxAttempts) {
          n.status = 'failed';
          this.deps.metrics?.deliveryFailed();
          this.deps.logger.warn(
            { caseId, notification: n.id, error: n.lastError },
            'notification failed for good',
          );
          // A contact who cannot be reached is no contact: the backup gets the case.
          if (n.to === 'primary' && !c.backupNotifiedAt && !isFinal(c.status))
            this.toBackup(
              c,
              'system',
              `Messages to the primary contact about case ${c.id} could not be delivered, so it has come to you as the backup contact.`,
            );
        } else {
          const backoff = Math.min(30 * MINUTE, 0.5 * MINUTE * 2 ** (n.attempts - 1));
          n.nextAttemptAt = new Date(now.getTime() + backoff).toISOString();
          this.deps.logger.info(
            { caseId, notification: n.id, attempts: n.attempts },
            'notification failed; will retry',
          );
        }
      }
      await this.save(c);
    });
  }

  private toBackup(c: Case, actor: string, text: string): boolean {
    if (!this.deps.contacts.backup) return false;
    c.assignedTo = 'backup';
    c.backupNotifiedAt = this.now().toISOString();
    this.event(c, actor, actor === 'system' ? 'sent-to-backup' : 'handed-to-backup');
    this.queueContact(c, 'backup', 'backup', text);
    return true;
  }

  /** Delivers every due message; resolves with how many were sent. */
  async deliverPending(): Promise<number> {
    if (this.deps.cases.claimDue) return this.deliverClaimed();
    let sent = 0;
    for (const c of await this.deps.cases.listActive()) sent += await this.deliverCase(c.id);
    return sent;
  }

  /** Reminds contacts about unacknowledged cases, and sends overdue ones to the backup. */
  async checkDeadlines(): Promise<void> {
    await this.locked(async () => {
      const now = this.now();
      const iso = now.toISOString();
      for (const c of await this.deps.cases.listActive()) {
        if (c.status !== 'new') continue;
        let changed = false;
        if (c.ackDueAt <= iso && !c.deadlinePassedAt) {
          // Re-notify the primary contact and send to the backup too (once).
          c.deadlinePassedAt = iso;
          this.deps.metrics?.deadlineEscalation();
          this.queueContact(c, 'primary', 'reminder');
          this.toBackup(
            c,
            'system',
            `Case ${c.id} was not acknowledged within ${this.deps.contacts.ackWorkingHours} working hours, so it has come to you as the backup contact.`,
          );
          changed = true;
        } else if (c.nextReminderAt && c.nextReminderAt <= iso) {
          this.queueContact(c, c.assignedTo, 'reminder');
          c.remindersSent += 1;
          this.deps.metrics?.reminder();
          this.event(c, 'system', 'reminded');
          changed = true;
        }
        if (changed) {
          c.nextReminderAt = this.nextReminder(now);
          await this.save(c);
        }
      }
    });
  }

  /** Reminders count working time too, so nobody is messaged every hour of a weekend or holiday. */
  private nextReminder(now: Date): string {
    return this.addWorkingHours(now, this.deps.contacts.reminderMinutes / 60).toISOString();
  }

  private addWorkingHours(from: Date, hours: number): Date {
    return addWorkingHours(from, hours, this.deps.holidays ?? nationalHolidays);
  }

  /** One pass of the background work: deadlines, then delivery. */
  async tick(): Promise<void> {
    await this.checkDeadlines();
    await this.deliverPending();
  }

  /** True when the user is a configured contact. */
  isContact(user: UserRef): boolean {
    return roleOf(this.deps.contacts, user) !== undefined;
  }

  /** A contact acts on a case, from a chat: the outcome as messages (see `perform`). */
  async act(
    actor: UserRef,
    action: ContactAction,
    caseId: string,
    note?: string,
  ): Promise<Reply[]> {
    const outcome = await this.perform(actor, action, caseId, note);
    if (!outcome.ok || !outcome.case) return [notice(outcome.message, outcome.tone)];
    const c = outcome.case;
    return [
      notice(outcome.message, 'success'),
      caseCard(c, `Case ${c.id}: ${STATUS_LABEL[c.status]}.`),
    ];
  }

  /**
   * A contact acts on a case (from a chat or the console; both go through here, so the rules
   * and the audit entries are the same). Anyone else is refused and the attempt recorded.
   * Repeating an action that is already done (a double click) records nothing new.
   */
  async perform(
    actor: UserRef,
    action: ContactAction,
    caseId: string,
    note?: string,
  ): Promise<ActionOutcome> {
    const actorKey = userKey(actor);
    const role = roleOf(this.deps.contacts, actor);
    // A blank note is no note, whichever surface it came from.
    note = note?.trim() || undefined;
    const outcome = await this.locked(async (): Promise<ActionOutcome & { deliver: boolean }> => {
      if (!role) {
        await this.unauthorised(actorKey, action, caseId);
        return {
          ok: false,
          tone: 'warning',
          message:
            "You're not authorised to act on security cases. If you think you should be, talk to your council's security lead.",
          deliver: false,
        };
      }
      const c = await this.deps.cases.get(caseId);
      if (!c)
        return {
          ok: false,
          tone: 'warning',
          message: `I couldn't find case ${caseId}.`,
          deliver: false,
        };
      if (isFinal(c.status))
        return {
          ok: false,
          tone: 'info',
          message: `Case ${c.id} is already ${STATUS_LABEL[c.status]}.`,
          deliver: false,
        };
      const reporter = (text: string, kind: CaseNotification['kind'] = 'status') =>
        this.queue(c, 'reporter', c.reporter, kind, text);
      switch (action) {
        case 'ack': {
          if (c.status !== 'new') {
            const by = c.history.find((e) => e.type === 'acknowledged');
            return {
              ok: false,
              tone: 'info',
              message: `Case ${c.id} was already acknowledged${by ? ` at ${new Date(by.at).toLocaleTimeString('en-NZ', { timeZone: 'Pacific/Auckland', hour: 'numeric', minute: '2-digit' })}` : ''}.`,
              deliver: false,
            };
          }
          c.status = 'acknowledged';
          c.nextReminderAt = undefined;
          this.event(c, actorKey, 'acknowledged');
          reporter(`Your security contact has picked up case ${c.id}.`);
          break;
        }
        case 'info': {
          if (!note)
            return {
              ok: false,
              tone: 'warning',
              message: 'Please write the question for the reporter.',
              deliver: false,
            };
          if (!canTransition(c.status, 'info-requested'))
            return {
              ok: false,
              tone: 'warning',
              message: `Case ${c.id} can't take a question now.`,
              deliver: false,
            };
          c.status = 'info-requested';
          c.nextReminderAt = undefined;
          this.event(c, actorKey, 'info-requested', note);
          reporter(note, 'info-request');
          break;
        }
        case 'resolve':
        case 'close': {
          const to = action === 'resolve' ? 'resolved' : 'closed';
          c.status = to;
          c.closedAt = this.now().toISOString();
          c.nextReminderAt = undefined;
          this.event(c, actorKey, to, note);
          reporter(
            action === 'resolve'
              ? `Your security contact has resolved case ${c.id}.${note ? ` Outcome: ${note}` : ''} Thank you for raising it.`
              : `Your security contact has closed case ${c.id} with no further action needed.${note ? ` Note: ${note}` : ''} Thank you for raising it.`,
          );
          break;
        }
        case 'backup': {
          if (c.assignedTo === 'backup')
            return {
              ok: false,
              tone: 'info',
              message: `Case ${c.id} is already with the backup contact.`,
              deliver: false,
            };
          if (
            !this.toBackup(
              c,
              actorKey,
              `Case ${c.id} has been handed to you by ${actor.name ?? 'the primary contact'}.`,
            )
          ) {
            return {
              ok: false,
              tone: 'warning',
              message: 'No backup contact is configured.',
              deliver: false,
            };
          }
          break;
        }
      }
      await this.save(c);
      await this.audit(`case-${action}`, actorKey, { caseId: c.id, status: c.status });
      this.deps.logger.info(
        { caseId: c.id, action, actor: actorKey, status: c.status },
        'case updated',
      );
      const done: Record<ContactAction, string> = {
        ack: `Case ${c.id} acknowledged. The reporter has been told.`,
        info: `Your question has been sent to the reporter. Their reply will come to you here.`,
        resolve: `Case ${c.id} resolved. The reporter has been told.`,
        close: `Case ${c.id} closed with no action. The reporter has been told.`,
        backup: `Case ${c.id} handed to the backup contact.`,
      };
      return { ok: true, tone: 'success', message: done[action], case: c, deliver: true };
    });
    const { deliver, ...result } = outcome;
    if (deliver) {
      await this.deliverCase(caseId);
      await this.refreshCards(caseId);
    }
    return result;
  }

  /**
   * Records an attempt by someone who is not a contact: one history event per actor per open
   * case, with a count, so 2,000 presses add one entry, not 2,000. The audit log and the
   * warning log get the 1st, 10th, 100th... attempt. Only open cases are looked up, so a
   * stranger's presses never make the bot scan the archive.
   */
  private async unauthorised(actor: string, action: ContactAction, caseId: string): Promise<void> {
    const c = await this.deps.cases.getActive(caseId);
    let count: number;
    if (c && !isFinal(c.status)) {
      const at = this.now().toISOString();
      const seen = c.history.find((e) => e.type === 'unauthorised-attempt' && e.actor === actor);
      if (seen) {
        count = (seen.count ?? 1) + 1;
        seen.count = count;
        seen.lastAt = at;
        const tried = new Set((seen.note ?? '').split(', ').filter(Boolean)).add(action);
        seen.note = [...tried].join(', ');
      } else {
        count = 1;
        c.history.push({
          at,
          actor,
          type: 'unauthorised-attempt',
          note: action,
          count,
          lastAt: at,
        });
      }
      await this.save(c);
    } else {
      // No open case to keep the count in: a small map in memory, oldest forgotten first.
      const key = `${actor} ${caseId.slice(0, 64)}`;
      count = (this.strangers.get(key) ?? 0) + 1;
      this.strangers.delete(key);
      this.strangers.set(key, count);
      if (this.strangers.size > 10_000) {
        const oldest = this.strangers.keys().next().value;
        if (oldest !== undefined) this.strangers.delete(oldest);
      }
    }
    if (!/^10*$/.test(String(count))) return;
    await this.audit('case-unauthorised', actor, { caseId: caseId.slice(0, 64), action, count });
    this.deps.logger.warn(
      { actor, caseId: caseId.slice(0, 64), action, count },
      'unauthorised case action',
    );
  }

  /**
   * Updates the case messages contacts already have, where the platform allows, so an old
   * message never offers buttons for a status that has passed. Best effort: a failure is logged.
   */
  private async refreshCards(caseId: string): Promise<void> {
    const c = await this.deps.cases.get(caseId);
    if (!c) return;
    const latest = new Map<string, CaseNotification>();
    for (const n of c.notifications) {
      if (n.to !== 'reporter' && n.status === 'sent' && n.messageId)
        latest.set(`${n.user.platform}:${n.user.id}`, n);
    }
    for (const n of latest.values()) {
      const notifier = this.deps.notifiers.get(n.user.platform);
      if (!notifier?.update || !n.messageId) continue;
      const result = await notifier
        .update(n.user, n.messageId, [caseCard(c, `Case ${c.id}: ${STATUS_LABEL[c.status]}.`)])
        .catch((err: Error) => ({ ok: false as const, error: err.message }));
      if (!result.ok)
        this.deps.logger.warn(
          { caseId, notification: n.id, error: result.error },
          'could not update a case message in place',
        );
    }
  }

  /** The reporter answers a contact's question; the answer is added to the case and sent on. */
  async reply(reporter: UserRef, caseId: string, text: string): Promise<Reply[]> {
    const done = await this.locked(async () => {
      const c = await this.deps.cases.get(caseId);
      if (!c || userKey(c.reporter) !== userKey(reporter))
        return notice(`I couldn't find case ${caseId}.`, 'warning');
      if (isFinal(c.status))
        return notice(
          `Case ${c.id} is already ${STATUS_LABEL[c.status]}, so I couldn't add your reply.`,
          'warning',
        );
      this.event(c, userKey(reporter), 'info-provided', text);
      if (c.status === 'info-requested') c.status = 'acknowledged';
      this.queueContact(c, c.assignedTo, 'info-provided');
      await this.save(c);
      return notice(
        `Thanks. Your reply has been added to case ${c.id} and sent to your security contact.`,
        'success',
      );
    });
    await this.deliverCase(caseId);
    return [done];
  }

  /** For a contact: open cases with their age. For anyone else: their own cases. */
  async list(user: UserRef): Promise<Reply[]> {
    if (this.isContact(user)) {
      const open = (await this.deps.cases.listActive()).filter((c) => !isFinal(c.status));
      return [casesListReply(open, this.now(), true)];
    }
    const mine = (await this.deps.cases.listAll()).filter(
      (c) => userKey(c.reporter) === userKey(user),
    );
    return [casesListReply(mine.reverse().slice(0, 10), this.now(), false)];
  }

  /** One case: the full card for a contact, the reporter's view for the reporter, nothing for anyone else. */
  async show(user: UserRef, caseId: string): Promise<Reply[]> {
    const c = await this.deps.cases.get(caseId);
    if (c && this.isContact(user)) return [caseCard(c, `Case ${c.id}, ${STATUS_LABEL[c.status]}.`)];
    if (c && userKey(c.reporter) === userKey(user)) return [reporterView(c)];
    return [notice(`I couldn't find case ${caseId}.`, 'warning')];
  }

  /**
   * Cases for a contact's desk, matching `filter` (open ones unless it names a final status),
   * newest first; undefined for anyone who is not a contact.
   */
  async casesFor(user: UserRef, filter: CaseFilter = {}): Promise<Case[] | undefined> {
    if (!this.isContact(user)) return undefined;
    const finals =
      filter.status === 'all' || filter.status === 'resolved' || filter.status === 'closed';
    const pool = finals ? await this.deps.cases.listAll() : await this.deps.cases.listActive();
    return filterCases(pool, filter).sort(
      (a, b) => b.raisedAt.localeCompare(a.raisedAt) || b.id.localeCompare(a.id),
    );
  }

  /** One case for a contact's desk; undefined for anyone who is not a contact, or no such case. */
  async caseFor(user: UserRef, caseId: string): Promise<Case | undefined> {
    if (!this.isContact(user)) return undefined;
    return this.deps.cases.get(caseId);
  }

  /** The audit log's entries about one case, for a contact; undefined for anyone else. */
  async auditFor(user: UserRef, caseId: string): Promise<AuditEvent[] | undefined> {
    if (!this.isContact(user)) return undefined;
    return (await this.deps.store.readAudit()).filter((e) => e.data?.caseId === caseId);
  }

  /**
   * Working hours until a case's acknowledgement deadline (negative once it has passed), or
   * undefined once the case no longer waits for acknowledgement.
   */
  ackHoursLeft(c: Case): number | undefined {
    if (c.status !== 'new') return undefined;
    return workingHoursBetween(
      this.now(),
      new Date(c.ackDueAt),
      this.deps.holidays ?? nationalHolidays,
    );
  }

  /** The contacts, for the surfaces that show who is who. */
  get contacts(): Contacts {
    return this.deps.contacts;
  }

  /** Deletes finished cases closed more than `days` ago. */
  async purge(days: number): Promise<number> {
    const before = new Date(this.now().getTime() - days * 24 * 60 * MINUTE).toISOString();
    const n = await this.deps.cases.purge(before);
    if (n) await this.audit('cases-purged', 'system', { count: n, before });
    return n;
  }
}
