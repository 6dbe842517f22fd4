import type { Bm25Match } from './bm25.js';

/** How much each ranking counts in the fused score; each is a share (0-1) against the rest. */
export interface RankWeights {
  /** The entry's best-matching example question against its whole text. */
  example: number;
  /** For a long message, its asking sentence against the whole message. */
  focus: number;
  /** The intent classifier's probability against the lexical (and dense) score. */
  intent: number;
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
}

/** Everything the fused ranking is made from, for one question. */
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
}

/**
 * The fused ranking: whole entry and example question, then the asking sentence, then a dense
 * ranking, cut to `maxHits`; the classifier's top entries join, its probability is blended in,
 * and the list is cut again. Pure, so weights can be learnt on stored parts (scripts/fit-ranking.ts).
 */
export function fuse(parts: RankParts, w: RankWeights, maxHits: number): Fused[] {
  let fused: Fused[] = parts.lexical.map((c) => {
    const lexical = (1 - w.example) * c.entry + w.example * c.example;
    // A long message wraps its question in context: the sentence that asks weighs more.
    const score = parts.hasFocus ? (1 - w.focus) * lexical + w.focus * c.focus : lexical;
    return { r: c.r, ex: c.ex, score };
  });
  if (parts.dense) {
    const { score, join, share } = parts.dense;
    for (const id of join) fused.push({ r: emptyResult(id), score: 0 });
    fused = fused.map((f) => ({
      ...f,
      score: (1 - share) * f.score + share * (score.get(String(f.r.id)) ?? 0),
    }));
  }
  fused = fused.sort((a, b) => b.score - a.score).slice(0, maxHits);
  for (const id of parts.intentJoin) {
    if (fused.some((f) => String(f.r.id) === id)) continue;
    fused.push({ r: emptyResult(id), score: 0 });
  }
  return fused
    .map((f) => ({
      ...f,
      score: (1 - w.intent) * f.score + w.intent * (parts.intent.get(String(f.r.id)) ?? 0),
    }))
    .sort((a, b) => b.score - a.score)
    .slice(0, maxHits);
}

/** A search result for an entry that matched no word of the question. */
export function emptyResult(id: string): Bm25Match {
  return { id, doc: -1, score: 0, terms: [], queryTerms: [] };
}
