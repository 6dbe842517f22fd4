/**
 * Prometheus metrics for one advisor. Each advisor has its own registry (never prom-client's
 * global one), so several advisors in one process, as in tests, never share a counter. The
 * core only counts; an adapter decides whether and where the registry is served.
 */
import type { Logger } from 'pino';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from './clock.js';
import type { CaseSource, CaseStatus } from './escalation/case.js';
import type { CaseStore } from './escalation/case-store.js';
import type { LlmFailureReason } from './llm/types.js';
import type { Store } from './storage/types.js';

/** How a question ended; small talk and commands are not counted. */
export type AnswerOutcome = 'answered' | 'no-guidance' | 'declined';

/** Where the scrape-time gauges read from. */
export interface MetricsSources {
  store: Store;
  /** Absent when escalation is off: the case gauges then read 0. */
  cases?: CaseStore;
  clock: Clock;
  logger: Logger;
  /** A checklist untouched this long has expired, so it no longer counts as active. */
  checklistExpiryDays: number;
  /** Node's process metrics (CPU, memory, event loop lag) as well; on in the running bot. */
  processMetrics?: boolean;
}

const OPEN_STATES: CaseStatus[] = ['new', 'acknowledged', 'info-requested'];
const OUTCOMES: AnswerOutcome[] = ['answered', 'no-guidance', 'declined'];
const DAY = 24 * 60 * 60 * 1000;

/** The advisor's counters, and gauges computed from the stores when scraped. */
export class Metrics {
  /** The registry to serve as `GET /metrics`. */
  readonly registry = new Registry();
  private readonly answers: Counter<'outcome'>;
  private readonly answerSeconds: Histogram;
  private readonly llmCalls: Counter;
  private readonly llmFallbacks: Counter<'reason'>;
  private readonly casesRaised: Counter<'source'>;
  private readonly deliveries: Counter<'result'>;
  private readonly deliveriesFailed: Counter;
  private readonly reminders: Counter;
  private readonly deadlines: Counter;
  private readonly debriefInvites: Counter<'result'>;

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    this.answers = new Counter({
      name: 'sister_city_answers_total',
      help: 'Questions answered from the guidance, with no guidance, or declined',
      labelNames: ['outcome'],
      registers,
    });
    // Every outcome is present from the start, so a rate() over a new process is never empty.
    for (const outcome of OUTCOMES) this.answers.inc({ outcome }, 0);
    this.answerSeconds = new Histogram({
      name: 'sister_city_answer_duration_seconds',
      help: 'Time from a question to its answer, LLM rewrite included',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
      registers,
    });
    this.llmCalls = new Counter({
      name: 'sister_city_llm_calls_total',
      help: 'Answers asked of the LLM (one per question, retries included)',
      registers,
    });
    this.llmFallbacks = new Counter({
      name: 'sister_city_llm_fallbacks_total',
      help: 'LLM answers not used, so the extractive answer was shown, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.casesRaised = new Counter({
      name: 'sister_city_cases_raised_total',
      help: 'Cases raised for the security contact, by source',
      labelNames: ['source'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'sister_city_outbox_deliveries_total',
      help: 'Attempts to deliver a case message, by result (sent or error)',
      labelNames: ['result'],
      registers,
    });
    this.deliveriesFailed = new Counter({
      name: 'sister_city_outbox_failed_total',
      help: 'Case messages given up on after their last attempt',
      registers,
    });
    this.reminders = new Counter({
      name: 'sister_city_case_reminders_total',
      help: 'Reminders queued for contacts about unacknowledged cases',
      registers,
    });
    this.deadlines = new Counter({
      name: 'sister_city_case_deadline_escalations_total',
      help: 'Cases not acknowledged in time (sent to the backup contact, when there is one)',
      registers,
    });
    this.debriefInvites = new Counter({
      name: 'sister_city_debrief_invitations_total',
      help: 'Debrief invitations sent, and attempts that failed and will be retried',
      labelNames: ['result'],
      registers,
    });
    this.gauges();
    if (sources.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Gauges read from the stores on each scrape, so they cannot drift from what is stored. */
  private gauges(): void {
    const registers = [this.registry];
    const { store, clock, logger } = this.sources;
    // A store that fails keeps the last values; the scrape itself still succeeds.
    const guard = (what: string, fn: () => Promise<void>) => async () => {
      try {
        await fn();
      } catch (err) {
        logger.warn({ err, metric: what }, 'could not read a metric from the store');
      }
    };
    const cases = this.sources.cases;
    const open: Gauge<'state'> = new Gauge({
      name: 'sister_city_cases_open',
      help: 'Open cases, by state',
      labelNames: ['state'],
      registers,
      collect: guard('cases', async () => {
        const active = cases ? await cases.listActive() : [];
        for (const state of OPEN_STATES)
          open.set({ state }, active.filter((c) => c.status === state).length);
      }),
    });
    const pendingAt = async (): Promise<string[]> =>
      (cases ? await cases.listActive() : []).flatMap((c) =>
        c.notifications.filter((n) => n.status === 'pending').map((n) => n.createdAt),
      );
    const backlog: Gauge = new Gauge({
      name: 'sister_city_outbox_pending',
      help: 'Case messages waiting to be delivered (the outbox backlog)',
      registers,
      collect: guard('outbox', async () => backlog.set((await pendingAt()).length)),
    });
    const oldest: Gauge = new Gauge({
      name: 'sister_city_outbox_oldest_pending_seconds',
      help: 'Age of the oldest case message still waiting to be delivered; 0 when none is',
      registers,
      collect: guard('outbox', async () => {
        const first = (await pendingAt()).sort()[0];
        const age = first ? (clock.now().getTime() - Date.parse(first)) / 1000 : 0;
        oldest.set(Math.max(0, age));
      }),
    });
    const checklists: Gauge = new Gauge({
      name: 'sister_city_checklists_active',
      help: 'Checklists (pre-trip, debrief, report) in progress and not expired',
      registers,
      collect: guard('checklists', async () => {
        const since = new Date(clock.now().getTime() - this.sources.checklistExpiryDays * DAY);
        checklists.set(await store.countFlows(since.toISOString()));
      }),
    });
  }

  /** The text to serve, in the Prometheus exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The Content-Type for `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** A question ended with `outcome` after `seconds`. */
  answer(outcome: AnswerOutcome, seconds: number): void {
    this.answers.inc({ outcome });
    this.answerSeconds.observe(seconds);
  }

  /** An answer was asked of the LLM. */
  llmCall(): void {
    this.llmCalls.inc();
  }

  /** An LLM answer was not used, for `reason`. */
  llmFallback(reason: LlmFailureReason): void {
    this.llmFallbacks.inc({ reason });
  }

  /** A case was raised. */
  caseRaised(source: CaseSource): void {
    this.casesRaised.inc({ source });
  }

  /** One attempt to deliver a case message. */
  delivery(sent: boolean): void {
    this.deliveries.inc({ result: sent ? 'sent' : 'error' });
  }

  /** A case message was given up on. */
  deliveryFailed(): void {
    this.deliveriesFailed.inc();
  }

  /** A reminder about an unacknowledged case was queued. */
  reminder(): void {
    this.reminders.inc();
  }

  /** A case passed its acknowledgement deadline and went to the backup contact. */
  deadlineEscalation(): void {
    this.deadlines.inc();
  }

  /** A debrief invitation was sent, or failed and will be retried. */
  debriefInvitation(sent: boolean): void {
    this.debriefInvites.inc({ result: sent ? 'sent' : 'retry' });
  }
}
