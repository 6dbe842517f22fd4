/**
 * The weekly digest for curators, in chat: entries falling due for review, the most-asked
 * questions the bot could not answer, and the entries staff found least helpful. It goes out on
 * Monday from 09:00 New Zealand time (or at the first tick after, if the bot was down then),
 * once per curator per week: a key per week and curator is recorded in the store before sending,
 * so a restart or a second tick (in this process or another) does not send it again.
 */
import type { Logger } from 'pino';
import { nzWallTime } from '../checklist/time.js';
import { type Clock, nzDay } from '../clock.js';
import type { Curator } from '../escalation/contacts.js';
import type { Knowledge } from '../knowledge/index.js';
import { escapeMarkdown } from '../markdown.js';
import type { Notifier, Platform, Reply, UserRef } from '../model.js';
import type { Store } from '../storage/types.js';
import { groupQuestions, type UnansweredGroup } from './group.js';
import { type KnowledgeHealth, knowledgeHealth } from './health.js';

const DAY_MS = 24 * 3600_000;

/** When the digest goes out: ISO weekday (1 = Monday) and hour, New Zealand time. */
export const DIGEST_WEEKDAY = 1;
export const DIGEST_HOUR = 9;

/**
 * The digest week `now` falls in: the NZ date of its Monday, once Monday 09:00 NZ has passed;
 * undefined before then in the week (the previous week's digest is not sent late on a Monday).
 */
export function digestWeek(now: Date): string | undefined {
  const today = nzDay(now);
  const day = new Date(`${today}T00:00:00Z`);
  const weekday = day.getUTCDay() || 7;
  if (weekday === DIGEST_WEEKDAY && now < nzWallTime(today, DIGEST_HOUR)) return undefined;
  const monday = new Date(day.getTime() - (weekday - DIGEST_WEEKDAY) * DAY_MS);
  return monday.toISOString().slice(0, 10);
}

/** What the digest says, worked out once per week for every curator. */
export interface DigestContent {
  health: KnowledgeHealth;
  /** Unanswered groups asked in the last 7 days; undefined when recording is off. */
  unanswered?: UnansweredGroup[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The digest as one chat message. Only titles, counts and common words: no question text. */
export function digestReply(content: DigestContent, knowledge: Knowledge, week: string): Reply {
  const { health, unanswered } = content;
  const title = (id: string) => escapeMarkdown(knowledge.byId.get(id)?.title ?? id);
  const lines = [`**Weekly guidance digest** (week of ${week})`];
  const due = [...health.overdue, ...health.dueSoon.filter((e) => e.daysLeft <= 7)];
  lines.push(
    '',
    `**Due for review:** ${due.length ? plural(due.length, 'entry', 'entries') : 'none this week'}`,
  );
  for (const e of due.slice(0, 5))
    lines.push(
      `- ${title(e.id)}: ${e.daysLeft < 0 ? `overdue since ${e.reviewBy}` : `review by ${e.reviewBy}`}`,
    );
  if (due.length > 5) lines.push(`- and ${due.length - 5} more`);
  if (!unanswered) {
    lines.push('', '**Questions without guidance:** not recorded (RECORD_UNANSWERED is off)');
  } else {
    const total = unanswered.reduce((n, g) => n + g.count, 0);
    lines.push(
      '',
      `**Questions without guidance, last 7 days:** ${total ? `${plural(total, 'question')} in ${plural(unanswered.length, 'group')}` : 'none'}`,
    );
    for (const g of unanswered.slice(0, 3))
      lines.push(
        `- ${plural(g.count, 'time')}, about ${escapeMarkdown(g.terms.join(', ') || 'various')}${g.closestEntryId ? `; closest entry: ${title(g.closestEntryId)}` : ''}`,
      );
  }
  const worst = health.feedback.filter((f) => f.recent.notHelpful > 0).slice(0, 3);
  lines.push(
    '',
    `**Most Not helpful, last ${health.windowDays} days:** ${worst.length ? '' : 'none'}`.trimEnd(),
  );
  for (const f of worst)
    lines.push(
      `- ${title(f.id)}: ${f.recent.notHelpful} Not helpful, ${f.recent.helpful} Helpful${f.trend === 'rising' ? ' (rising)' : ''}`,
    );
  lines.push(
    '',
    'The knowledge console (/console/knowledge) has the full lists and the questions.',
  );
  return { kind: 'notice', blocks: [{ type: 'paragraph', text: lines.join('\n') }] };
}

/** A stable key for one curator, whatever platform the digest goes out on. */
function curatorKey(c: Curator): string {
  return (['web', 'slack', 'teams'] as const)
    .filter((p) => c[p])
    .map((p) => `${p}:${c[p]}`)
    .join('|');
}

/** Where a curator gets the digest: the first of Slack, Teams and the web chat that is on. */
function curatorRef(c: Curator, notifiers: Map<Platform, Notifier>): UserRef | undefined {
  for (const platform of ['slack', 'teams', 'web'] as const) {
    const id = c[platform];
    if (id && notifiers.has(platform)) return { platform, id, name: c.name };
  }
  return undefined;
}

/** Sends the weekly digest; `tick` is called on every scheduler tick and is cheap once sent. */
export class CuratorDigest {
  /** The week whose digest this process has finished with. */
  private doneWeek = '';

  constructor(
    private readonly deps: {
      store: Store;
      knowledge: Knowledge;
      clock: Clock;
      logger: Logger;
      notifiers: Map<Platform, Notifier>;
      curators: Curator[];
      /** Whether unanswered questions are being recorded. */
      recording: boolean;
    },
  ) {}

  /** Sends this week's digest to each curator who has not had it; resolves with how many were sent. */
  async tick(): Promise<number> {
    const { store, clock, logger, notifiers, curators } = this.deps;
    const now = clock.now();
    const week = digestWeek(now);
    if (!week || week === this.doneWeek || !curators.length) return 0;
    let content: DigestContent | undefined;
    let sent = 0;
    let waiting = false;
    for (const curator of curators) {
      const ref = curatorRef(curator, notifiers);
      const notifier = ref && notifiers.get(ref.platform);
      const log = logger.child({ curator: curator.name, week });
      if (!ref || !notifier) {
        // Slack or Teams may not have started yet; the next tick tries again.
        waiting = true;
        continue;
      }
      const key = `curator-digest:${week}:${curatorKey(curator)}`;
      if (!(await store.markOnce(key, now.toISOString()))) continue;
      try {
        content ??= await this.content(now);
        const result = await notifier.notify(ref, [
          digestReply(content, this.deps.knowledge, week),
        ]);
        if (!result.ok) throw new Error(result.error);
        sent++;
        log.info({ platform: ref.platform }, 'curator digest sent');
      } catch (err) {
        // Forgotten again, so the next tick retries: a digest is sent at most once a week.
        waiting = true;
        await store.unmarkOnce(key).catch(() => undefined);
        log.warn({ err }, 'curator digest not delivered; will retry');
      }
    }
    if (!waiting) this.doneWeek = week;
    return sent;
  }

  private async content(now: Date): Promise<DigestContent> {
    const { store, knowledge, recording } = this.deps;
    const health = knowledgeHealth(knowledge, await store.listFeedback(), now);
    if (!recording) return { health };
    const since = new Date(now.getTime() - 7 * DAY_MS).toISOString();
    return { health, unanswered: groupQuestions(await store.listUnanswered(since)) };
  }
}
