import { type Clock, nzDay } from '../clock.js';
import type { EscalationRequest, Store } from '../storage/index.js';

/** What the core asks for when something needs the security contact. */
export type EscalationInput = Omit<EscalationRequest, 'id' | 'at'> & {
  /** An id from `reserveId`. Escalating again with it raises nothing new: the first one stands. */
  id?: string;
};

/** What happened to an escalation, in words the reporter can be told. */
export interface EscalationReceipt {
  id: string;
  /** True once a security contact has actually been sent the case. */
  notified: boolean;
  /** One or two sentences for the reporter: what happened and what happens next. */
  message: string;
}

/** Opens an escalation. The escalation issue supplies one that notifies the security contact. */
export interface Escalator {
  /** Takes the id for an escalation to come, so the caller can record it before raising it. */
  reserveId(at: Date): Promise<string>;
  escalate(input: EscalationInput): Promise<EscalationReceipt>;
}

/** Makes readable ids such as ER-2026-0007 from a durable sequence. */
export async function nextId(store: Store, prefix: string, at: Date): Promise<string> {
  // The year is New Zealand's: a case raised on NZ New Year's morning belongs to the new year.
  const year = nzDay(at).slice(0, 4);
  const n = await store.nextSequence(`${prefix}-${year}`);
  return `${prefix}-${year}-${String(n).padStart(4, '0')}`;
}

/**
 * Records escalation requests durably without notifying anyone, so nothing is lost before
 * delivery to a security contact is set up. It says so plainly to the reporter.
 */
export class RecordingEscalator implements Escalator {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  reserveId(at: Date): Promise<string> {
    return nextId(this.store, 'ER', at);
  }

  async escalate(input: EscalationInput): Promise<EscalationReceipt> {
    const at = this.clock.now();
    const { id: reserved, ...request } = input;
    const recorded =
      reserved !== undefined &&
      (await this.store.listEscalationRequests()).some((r) => r.id === reserved);
    const id = reserved ?? (await this.reserveId(at));
    if (!recorded) await this.store.addEscalationRequest({ ...request, id, at: at.toISOString() });
    return {
      id,
      notified: false,
      message: `I've recorded this for your council's security contact (reference ${id}). This bot is not yet set up to notify them, so please also tell them directly and quote the reference.`,
    };
  }
}
