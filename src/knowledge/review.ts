import { curatedOwners } from '../retrieval/curated.js';
import { foldText } from '../retrieval/normalise.js';
import type { Knowledge } from './load.js';
import type { RegisterCouncil } from './register.js';
import type { Entry } from './schema.js';

/** Hosts of official publishers: government, parliament and legislation sites. */
const OFFICIAL_HOST = /(^|\.)(govt\.nz|parliament\.nz|gov\.au|gov\.uk|gc\.ca|canada\.ca|gov)$/;

/** True when a source is the publisher's own document, not a news report or a copy. */
export function isPrimarySource(source: { url: string; primary?: boolean }): boolean {
  if (source.primary !== undefined) return source.primary;
  try {
    return OFFICIAL_HOST.test(new URL(source.url).hostname);
  } catch {
    return false;
  }
}

/** What a curator should look at; none of it stops the bot. */
export interface KnowledgeReview {
  /** Entries whose sources are all news reports, mirrors or copies. */
  noPrimarySource: Entry[];
  overdue: Entry[];
  /** Due for review within `soonDays`. */
  dueSoon: Entry[];
  /** The same example question listed under more than one entry. */
  duplicateQuestions: { question: string; entries: string[] }[];
  /**
   * Curated declines and known gaps that are also an entry's example question, word for word: the
   * example wins (it is answered from the entry), so one of the two is a mistake.
   */
  contradictions: { question: string; listedAs: 'decline' | 'known gap'; entries: string[] }[];
  /** Whether the register is past its review-by date. */
  registerOverdue: boolean;
  /** Register councils whose sources are all news reports, mirrors or copies (by place). */
  registerNoPrimarySource: string[];
  /** Register ties where sources disagree, as "Place: City", for a curator to settle. */
  registerDisputes: string[];
}

/** Every source a register council cites, wherever it cites it. */
function councilSources(c: RegisterCouncil) {
  return [
    ...c.sources,
    ...c.relationships.flatMap((r) => [...r.sources, ...(r.disputed?.sources ?? [])]),
    ...[...c.practice, ...c.advice, ...c.notes].flatMap((f) => f.sources),
  ];
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Reviews loaded knowledge as of `today` (YYYY-MM-DD, NZ time). */
export function reviewKnowledge(
  knowledge: Knowledge,
  today: string,
  soonDays = 30,
): KnowledgeReview {
  const soon = addDays(today, soonDays);
  const councils = knowledge.register?.councils ?? [];
  const byQuestion = new Map<string, Set<string>>();
  const firstWording = new Map<string, string>();
  for (const e of knowledge.entries) {
    for (const q of e.questions) {
      const key = foldText(q);
      const ids = byQuestion.get(key) ?? new Set<string>();
      ids.add(e.id);
      byQuestion.set(key, ids);
      if (!firstWording.has(key)) firstWording.set(key, q);
    }
  }
  return {
    noPrimarySource: knowledge.entries.filter((e) => !e.sources.some(isPrimarySource)),
    overdue: knowledge.entries.filter((e) => e.reviewBy < today),
    dueSoon: knowledge.entries.filter((e) => e.reviewBy >= today && e.reviewBy <= soon),
    duplicateQuestions: [...byQuestion.entries()]
      .filter(([, ids]) => ids.size > 1)
      .map(([key, ids]) => ({ question: firstWording.get(key) ?? key, entries: [...ids] })),
    contradictions: [
      ...(knowledge.declines ?? []).map((q) => [q, 'decline'] as const),
      ...(knowledge.uncovered ?? []).map((q) => [q, 'known gap'] as const),
    ].flatMap(([question, listedAs]) => {
      const entries = curatedOwners(knowledge, question);
      return entries ? [{ question, listedAs, entries }] : [];
    }),
    registerOverdue: knowledge.register ? knowledge.register.reviewBy < today : false,
    registerNoPrimarySource: councils
      .filter((c) => !councilSources(c).some(isPrimarySource))
      .map((c) => c.place),
    registerDisputes: councils.flatMap((c) =>
      c.relationships.filter((r) => r.disputed).map((r) => `${c.place}: ${r.city}`),
    ),
  };
}
