/**
 * Per-user limits on volume: messages a minute, checklists started and cases raised an hour.
 * One client once opened 1,000 cases in 30 seconds; these keep a flood from one user (or one
 * script) to what a person could plausibly need, and say so calmly when it is reached.
 */
import type { Clock } from './clock.js';
import type { EscalationInput, EscalationReceipt, Escalator } from './escalation/escalator.js';
import type { Reply } from './model.js';
import { userKey } from './storage/types.js';

/** What is limited. */
export type LimitKind = 'messages' | 'checklists' | 'cases';

/** The most of each a user may do in its window. */
export interface LimitSettings {
  messagesPerMinute: number;
  checklistsPerHour: number;
  casesPerHour: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WINDOW_MS: Record<LimitKind, number> = {
  messages: MINUTE,
  checklists: HOUR,
  cases: HOUR,
};

/** Allowed, or refused with when to try again. */
export type LimitCheck =
  | { ok: true }
  | {
      ok: false;
      kind: LimitKind;
      max: number;
      /** How long until one more is allowed. */
      retryAfterMs: number;
      /** True for the first refusal in a window: log and audit it; later ones are the same event. */
      first: boolean;
    };

interface Usage {
  /** When each use in the window happened (ms), oldest first. */
  times: number[];
  /** Refusals before this time (ms) were already reported. */
  reportedUntil: number;
}

/**
 * Sliding-window counters per user and kind, by the injected clock. Memory is bounded by the
 * users active in the last hour: idle entries are swept out every minute, and as the map grows.
 */
export class UsageLimits {
  private readonly usage = new Map<string, Usage>();
  private sweepAt = 1000;
  private sweptAt = 0;

  constructor(
    private readonly settings: LimitSettings,
    private readonly clock: Clock,
  ) {}

  private max(kind: LimitKind): number {
    const s = this.settings;
    return kind === 'messages'
      ? s.messagesPerMinute
      : kind === 'checklists'
        ? s.checklistsPerHour
        : s.casesPerHour;
  }

  private entry(kind: LimitKind, user: string, now: number): Usage {
    const key = `${kind} ${user}`;
    let u = this.usage.get(key);
    if (!u) {
      // Amortised: a sweep when the map has doubled, or a minute after the last one; never one per message.
      if (this.usage.size >= this.sweepAt || now >= this.sweptAt + MINUTE) this.sweep(now);
      u = { times: [], reportedUntil: 0 };
      this.usage.set(key, u);
    }
    const since = now - WINDOW_MS[kind];
    while (u.times.length && (u.times[0] ?? 0) <= since) u.times.shift();
    return u;
  }

  private sweep(now: number): void {
    for (const [key, u] of this.usage) {
      const kind = key.slice(0, key.indexOf(' ')) as LimitKind;
      if (!u.times.some((t) => t > now - WINDOW_MS[kind]) && u.reportedUntil <= now)
        this.usage.delete(key);
    }
    this.sweepAt = Math.max(1000, 2 * this.usage.size);
    this.sweptAt = now;
  }

  private verdict(kind: LimitKind, u: Usage, now: number): LimitCheck {
    const max = this.max(kind);
    if (u.times.length < max) return { ok: true };
    const retryAfterMs = Math.max(1000, (u.times[0] ?? now) + WINDOW_MS[kind] - now);
    const first = now >= u.reportedUntil;
    if (first) u.reportedUntil = now + retryAfterMs;
    return { ok: false, kind, max, retryAfterMs, first };
  }

  /** True when one more would be allowed now; changes nothing. */
  allows(kind: LimitKind, user: string): boolean {
    const u = this.usage.get(`${kind} ${user}`);
    if (!u) return true;
    const since = this.clock.now().getTime() - WINDOW_MS[kind];
    return u.times.filter((t) => t > since).length < this.max(kind);
  }

  /** Whether one more would be allowed now, without counting it. */
  check(kind: LimitKind, user: string): LimitCheck {
    const now = this.clock.now().getTime();
    return this.verdict(kind, this.entry(kind, user, now), now);
  }

  /** Counts one use if it is allowed; a refused one is not counted. */
  take(kind: LimitKind, user: string): LimitCheck {
    const now = this.clock.now().getTime();
    const u = this.entry(kind, user, now);
    const verdict = this.verdict(kind, u, now);
    if (verdict.ok) u.times.push(now);
    return verdict;
  }

  /** Counts a use that has already happened (a case opened), whatever the limit. */
  record(kind: LimitKind, user: string): void {
    const now = this.clock.now().getTime();
    this.entry(kind, user, now).times.push(now);
  }

  /** How many users and kinds are being tracked (for tests of the memory bound). */
  get tracked(): number {
    return this.usage.size;
  }
}

/**
 * Counts every case a user opens against their hourly limit. It never refuses one: a risky
 * checklist always reaches the security contact. Refusals happen before a user starts to
 * write a report or a question (see `bot.ts`), and checklists are limited where they start.
 */
export function countingCases(inner: Escalator, limits: UsageLimits): Escalator {
  return {
    reserveId: (at) => inner.reserveId(at),
    async escalate(input: EscalationInput): Promise<EscalationReceipt> {
      const receipt = await inner.escalate(input);
      limits.record('cases', userKey(input.reporter));
      return receipt;
    },
  };
}

/** "in about 40 seconds", "in about 25 minutes": rounded up, never "in 0 minutes". */
export function inAbout(ms: number): string {
  if (ms < 55_000) return `in about ${Math.max(5, Math.ceil(ms / 5000) * 5)} seconds`;
  const minutes = Math.ceil(ms / MINUTE);
  return minutes === 1 ? 'in about a minute' : `in about ${minutes} minutes`;
}

const URGENT =
  'If something is urgent, you can call NZSIS on 0800 747 224, or 111 in an emergency.';

/** The calm reply a user gets when a limit is reached: what happened, when to try again, where to go if urgent. */
export function limitReply(refusal: Extract<LimitCheck, { ok: false }>): Reply {
  const when = inAbout(refusal.retryAfterMs);
  const n = refusal.max.toLocaleString('en-NZ');
  const text = {
    messages: `You've sent ${n} messages in the last minute, which is as many as I can take in a minute. Please try again ${when}. ${URGENT}`,
    checklists: `You've started ${n} checklists in the last hour, which is as many as I can take in an hour. You can start another ${when}. ${URGENT}`,
    cases: `You've raised ${n} cases for the security contact in the last hour, which is as many as I can take in an hour, so I haven't opened another one. Your earlier ones are safely recorded. You can raise another ${when}. ${URGENT}`,
  }[refusal.kind];
  return { kind: 'notice', blocks: [{ type: 'notice', tone: 'info', text }] };
}
