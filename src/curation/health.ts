/**
 * Knowledge health for curators: entries past or near their review-by date, entries with no
 * primary source, and what staff said with the Helpful / Not helpful buttons, with a trend.
 */
import { nzDay } from '../clock.js';
import { type Knowledge, reviewKnowledge } from '../knowledge/index.js';
import type { Feedback } from '../storage/types.js';

const DAY_MS = 24 * 3600_000;

/** An entry a curator should look at, with when it falls due. */
export interface EntryDue {
  id: string;
  title: string;
  reviewBy: string;
  /** Days until the review-by date (negative when past it). */
  daysLeft: number;
}

/** Helpful and Not helpful clicks for one entry. */
export interface EntryFeedback {
  id: string;
  /** The entry's title, or its id when the entry no longer exists. */
  title: string;
  helpful: number;
  notHelpful: number;
  /** The last `windowDays` days, and the same span before them. */
  recent: { helpful: number; notHelpful: number };
  previous: { helpful: number; notHelpful: number };
  /** Not helpful clicks in the recent window compared with the one before. */
  trend: 'rising' | 'falling' | 'steady';
}

/** Everything the knowledge page and the digest show about the guidance itself. */
export interface KnowledgeHealth {
  /** The NZ day this was worked out for. */
  today: string;
  soonDays: number;
  windowDays: number;
  overdue: EntryDue[];
  dueSoon: EntryDue[];
  noPrimarySource: { id: string; title: string }[];
  /** Entries with any feedback, the most Not helpful first. */
  feedback: EntryFeedback[];
}

/** Options for `knowledgeHealth`. */
export interface HealthOptions {
  /** "Due soon" means within this many days (default 30). */
  soonDays?: number;
  /** The feedback trend compares the last this-many days with the same span before (default 30). */
  windowDays?: number;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Works out knowledge health as of `now`. */
export function knowledgeHealth(
  knowledge: Knowledge,
  feedback: Feedback[],
  now: Date,
  opts: HealthOptions = {},
): KnowledgeHealth {
  const soonDays = opts.soonDays ?? 30;
  const windowDays = opts.windowDays ?? 30;
  const today = nzDay(now);
  const review = reviewKnowledge(knowledge, today, soonDays);
  const due = (e: { id: string; title: string; reviewBy: string }): EntryDue => ({
    id: e.id,
    title: e.title,
    reviewBy: e.reviewBy,
    daysLeft: daysBetween(today, e.reviewBy),
  });
  const byDate = (a: EntryDue, b: EntryDue) => a.daysLeft - b.daysLeft || (a.id < b.id ? -1 : 1);
  const recentFrom = new Date(now.getTime() - windowDays * DAY_MS).toISOString();
  const previousFrom = new Date(now.getTime() - 2 * windowDays * DAY_MS).toISOString();
  const counts = new Map<string, EntryFeedback>();
  for (const f of feedback) {
    const c = counts.get(f.entryId) ?? {
      id: f.entryId,
      title: knowledge.byId.get(f.entryId)?.title ?? f.entryId,
      helpful: 0,
      notHelpful: 0,
      recent: { helpful: 0, notHelpful: 0 },
      previous: { helpful: 0, notHelpful: 0 },
      trend: 'steady' as const,
    };
    const key = f.helpful ? 'helpful' : 'notHelpful';
    c[key]++;
    if (f.at >= recentFrom) c.recent[key]++;
    else if (f.at >= previousFrom) c.previous[key]++;
    counts.set(f.entryId, c);
  }
  for (const c of counts.values()) {
    const d = c.recent.notHelpful - c.previous.notHelpful;
    c.trend = d > 0 ? 'rising' : d < 0 ? 'falling' : 'steady';
  }
  return {
    today,
    soonDays,
    windowDays,
    overdue: review.overdue.map(due).sort(byDate),
    dueSoon: review.dueSoon.map(due).sort(byDate),
    noPrimarySource: review.noPrimarySource.map((e) => ({ id: e.id, title: e.title })),
    feedback: [...counts.values()].sort(
      (a, b) =>
        b.recent.notHelpful - a.recent.notHelpful ||
        b.notHelpful - a.notHelpful ||
        a.helpful - b.helpful ||
        (a.id < b.id ? -1 : 1),
    ),
  };
}
