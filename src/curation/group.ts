/**
 * Groups similar unanswered questions so a curator sees "asked 14 times" once, not 14 rows.
 * Each question becomes a set of terms (folded, stemmed, stop words dropped, synonyms merged,
 * placeholders such as [name] left out); a question joins the existing group whose terms it
 * shares most (Jaccard similarity at or above the threshold), else it starts a new group.
 * Questions are taken oldest first, so the result is the same for the same input.
 */
import { analyse } from '../retrieval/normalise.js';
import type { UnansweredQuestion } from '../storage/types.js';

/** Questions sharing at least this share of their terms (Jaccard) are grouped. */
export const GROUP_THRESHOLD = 0.5;

/** Similar unanswered questions, with what a curator needs to act on them. */
export interface UnansweredGroup {
  /** How many times questions in this group were asked. */
  count: number;
  firstAt: string;
  lastAt: string;
  /** The closest entry named most often among the group's questions (ties: the higher score). */
  closestEntryId?: string;
  /** The best score that entry had among them. */
  closestScore?: number;
  /** Up to three distinct wordings, most recent first. */
  examples: string[];
  /** How many were refused for lack of guidance, and how many declined as out of scope. */
  outcomes: { 'no-guidance': number; declined: number };
  /** Decline kinds seen, most common first. */
  declinedKinds: string[];
  /** The terms most members share, for a one-line label (no question text). */
  terms: string[];
}

/** The terms a question is compared on. */
export function questionTerms(text: string): Set<string> {
  const words = text.replace(/\[(?:name|email|phone|link|mention)\]/g, ' ');
  // The last term of a group is its canonical synonym, so "laptop" and "device" meet.
  return new Set(analyse(words).map((g) => g[g.length - 1] ?? ''));
}

/** Jaccard similarity of two term sets (0 when both are empty). */
export function jaccard(a: Set<string>, b: Set<string>): number {
  if (!a.size && !b.size) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

interface Building {
  members: { q: UnansweredQuestion; terms: Set<string> }[];
  /** The first member's terms: comparing with one fixed wording keeps groups from drifting. */
  seed: Set<string>;
}

/** Groups questions; the largest groups first (then the most recent). */
export function groupQuestions(
  questions: UnansweredQuestion[],
  threshold = GROUP_THRESHOLD,
): UnansweredGroup[] {
  const sorted = [...questions].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const groups: Building[] = [];
  for (const q of sorted) {
    const terms = questionTerms(q.text);
    let best: Building | undefined;
    let bestScore = 0;
    for (const g of groups) {
      const score = jaccard(terms, g.seed);
      if (score > bestScore) {
        best = g;
        bestScore = score;
      }
    }
    if (best && bestScore >= threshold) best.members.push({ q, terms });
    else groups.push({ members: [{ q, terms }], seed: terms });
  }
  return groups.map(summarise).sort((a, b) => b.count - a.count || (a.lastAt < b.lastAt ? 1 : -1));
}

function summarise(g: Building): UnansweredGroup {
  const qs = g.members.map((m) => m.q);
  const entries = new Map<string, { n: number; score: number }>();
  for (const q of qs) {
    if (!q.closestEntryId) continue;
    const e = entries.get(q.closestEntryId) ?? { n: 0, score: Number.NEGATIVE_INFINITY };
    e.n++;
    e.score = Math.max(e.score, q.closestScore ?? Number.NEGATIVE_INFINITY);
    entries.set(q.closestEntryId, e);
  }
  const closest = [...entries].sort(
    (a, b) => b[1].n - a[1].n || b[1].score - a[1].score || (a[0] < b[0] ? -1 : 1),
  )[0];
  const examples: string[] = [];
  for (const q of [...qs].reverse()) {
    if (!examples.includes(q.text)) examples.push(q.text);
    if (examples.length === 3) break;
  }
  const kinds = new Map<string, number>();
  for (const q of qs)
    if (q.declinedKind) kinds.set(q.declinedKind, (kinds.get(q.declinedKind) ?? 0) + 1);
  const termCounts = new Map<string, number>();
  for (const m of g.members)
    for (const t of m.terms) termCounts.set(t, (termCounts.get(t) ?? 0) + 1);
  return {
    count: qs.length,
    firstAt: qs[0]?.at ?? '',
    lastAt: qs.at(-1)?.at ?? '',
    ...(closest
      ? {
          closestEntryId: closest[0],
          ...(Number.isFinite(closest[1].score) ? { closestScore: closest[1].score } : {}),
        }
      : {}),
    examples,
    outcomes: {
      'no-guidance': qs.filter((q) => q.outcome === 'no-guidance').length,
      declined: qs.filter((q) => q.outcome === 'declined').length,
    },
    declinedKinds: [...kinds].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k),
    terms: [...termCounts]
      .filter(([t]) => t.length > 2)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 4)
      .map(([t]) => t),
  };
}
