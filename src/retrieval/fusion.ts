import type { Bm25Match } from './bm25.js';

/**
 * How much each signal counts in an entry's ranking score. Learnt by `npm run fit:ranking`; the
 * weights are non-negative and sum to 1, so a score stays between 0 and 1.
 */
export interface RankWeights {
  /** The entry's whole text (title, example questions, keywords, body), BM25 over the best. */
  entry: number;
  /** The entry's best-matching example question, BM25 over the best. */
  example: number;
  /** For a long message, its asking sentence on the whole entry; for a short one, `entry` again. */
  focus: number;
  /** The intent classifier's probability, over the best. */
  intent: number;
  /** Weighted share of the question's known concepts the entry matched. */
  coverage: number;
}

/** An entry the keyword search matched, with its scores divided by the question's best (0-1). */
export interface Candidate {
  /** The match on the entry's whole text. */
  r: Bm25Match;
  /** The entry's best-matching example question, if any matched. */
  ex?: Bm25Match;
  entry: number;
  example: number;
  /** The match of a long message's asking sentence (0 when there is none). */
  focus: number;
  /** Weighted share of the question's known concepts the entry matched (0-1). */
  coverage: number;
}

/** Everything the ranking is made from, for one question. */
export interface RankParts {
  /** Every entry the keyword search matched, best first on the whole text. */
  lexical: Candidate[];
  /** True for a long message with an asking sentence (see `focusOf`). */
  hasFocus: boolean;
  /** A dense ranking's scores (0-1), and entries it brings in that no word matched. */
  dense?: { score: Map<string, number>; join: string[]; share: number };
  /** The intent classifier's probability per entry, divided by its best (0-1). */
  intent: Map<string, number>;
  /** Entries the classifier ranks near the top; they join even if few of their words match. */
  intentJoin: string[];
}

/** A ranked entry before it becomes a `Hit`. */
export interface Fused {
  r: Bm25Match;
  ex?: Bm25Match;
  score: number;
  /** The candidate's coverage (0 for one that matched no word). */
  coverage: number;
}

/** The signals of one candidate, in the order of `SIGNALS`. */
export const SIGNALS = ['entry', 'example', 'focus', 'intent', 'coverage'] as const;
const COVERAGE = SIGNALS.indexOf('coverage');

/**
 * Each candidate's signals: the matched entries, then the classifier's top entries that matched
 * no word (only their intent counts), then those a dense ranking brings in (none of these).
 * Pure, so the weights can be learnt on stored parts (scripts/fit-ranking.ts).
 */
export function candidates(parts: RankParts): { r: Bm25Match; ex?: Bm25Match; x: number[] }[] {
  const out: { r: Bm25Match; ex?: Bm25Match; x: number[] }[] = parts.lexical.map((c) => ({
    r: c.r,
    ex: c.ex,
    x: [
      c.entry,
      c.example,
      parts.hasFocus ? c.focus : c.entry,
      parts.intent.get(String(c.r.id)) ?? 0,
      c.coverage,
    ],
  }));
  const seen = new Set(parts.lexical.map((c) => String(c.r.id)));
  for (const id of [...parts.intentJoin, ...(parts.dense?.join ?? [])]) {
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ r: emptyResult(id), x: [0, 0, 0, parts.intent.get(id) ?? 0, 0] });
  }
  return out;
}

/**
 * The ranking: each candidate scores the weighted sum of its signals; a dense ranking, when
 * given, is blended in by its share. Best first, cut to `maxHits` (ties keep candidate order).
 */
export function fuse(parts: RankParts, w: RankWeights, maxHits: number): Fused[] {
  const weights = SIGNALS.map((s) => w[s]);
  const dense = parts.dense;
  return candidates(parts)
    .map(({ r, ex, x }) => {
      let score = 0;
      for (let i = 0; i < x.length; i++) score += (weights[i] ?? 0) * (x[i] ?? 0);
      if (dense)
        score = (1 - dense.share) * score + dense.share * (dense.score.get(String(r.id)) ?? 0);
      return { r, ex, score, coverage: x[COVERAGE] ?? 0 };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, maxHits);
}

/** A search result for an entry that matched no word of the question. */
export function emptyResult(id: string): Bm25Match {
  return { id, doc: -1, score: 0, terms: [], queryTerms: [] };
}
