import SearchableMap from 'minisearch/SearchableMap';

/**
 * A read-only BM25+ index over fields of pre-analysed text, scored as MiniSearch scores (same
 * BM25+ parameters, field boosts, prefix and fuzzy weights, and the bonus for each distinct query
 * term matched), but built for a knowledge base that never changes while the bot runs:
 *
 * - every posting's BM25 part is computed once, when the index is built, not on each search;
 * - a question word's prefix and fuzzy variants are found once, in one vocabulary shared by every
 *   index (entries, example questions), and remembered for the next question that uses the word.
 *
 * MiniSearch itself did both on every search of every index, which was most of the time spent
 * answering. `test/retrieval/bm25.test.ts` checks the results match MiniSearch's.
 */

/** BM25+ parameters (MiniSearch's defaults). */
const K = 1.2;
const B = 0.7;
const D = 0.5;
/** Weights of prefix and fuzzy matches against an exact one (MiniSearch's defaults). */
const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;
/** Remembered expansions; past this many distinct words the memory starts again. */
const MEMO_LIMIT = 20_000;

/** One indexed document: its id and, per field, its analysed terms. */
export interface IndexDoc {
  id: string;
  fields: readonly (readonly string[] | undefined)[];
}

/** A document that matched. */
export interface Bm25Match {
  id: string;
  /** Position of the document in the list it was built from. */
  doc: number;
  score: number;
  /** The document's terms that matched (exactly or as a variant). */
  terms: string[];
  /** The question's terms that matched something. */
  queryTerms: string[];
}

/** A term a question word may match, with the share of an exact match's score it earns. */
interface Variant {
  term: string;
  weight: number;
}

/**
 * Which indexed words a question word matches: itself, longer words it begins (from five
 * letters), and words one edit away (from five letters) or two (from eight).
 */
export class Vocabulary {
  private readonly words = new SearchableMap<true>();
  private readonly memo = new Map<string, readonly Variant[]>();

  add(term: string): void {
    this.words.set(term, true);
  }

  variants(term: string): readonly Variant[] {
    const known = this.memo.get(term);
    if (known) return known;
    const out: Variant[] = [{ term, weight: 1 }];
    const fuzzy = term.length >= 8 ? 2 : term.length >= 5 ? 1 : 0;
    const near = fuzzy ? this.words.fuzzyGet(term, fuzzy) : undefined;
    if (term.length >= 5) {
      for (const [word] of this.words.atPrefix(term)) {
        const distance = word.length - term.length;
        if (!distance) continue;
        // A word that both begins with the question word and is near it counts as a prefix match.
        near?.delete(word);
        out.push({
          term: word,
          weight: (PREFIX_WEIGHT * word.length) / (word.length + 0.3 * distance),
        });
      }
    }
    if (near) {
      for (const [word, [, distance]] of near) {
        if (!distance) continue;
        out.push({ term: word, weight: (FUZZY_WEIGHT * word.length) / (word.length + distance) });
      }
    }
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(term, out);
    return out;
  }
}

/** A term's postings: parallel arrays of document and precomputed score, field by field. */
interface Postings {
  docs: Uint32Array;
  scores: Float64Array;
}

export class Bm25Index {
  private readonly postings = new Map<string, Postings>();
  private readonly ids: string[];

  /**
   * `boosts` weighs each field (in the order of `IndexDoc.fields`); every term is added to
   * `vocabulary`, which may be shared with other indexes.
   */
  constructor(
    docs: readonly IndexDoc[],
    boosts: readonly number[],
    private readonly vocabulary: Vocabulary,
  ) {
    this.ids = docs.map((d) => d.id);
    const n = docs.length;
    // Per field: each document's count of distinct terms, and the running average of those counts
    // (kept as MiniSearch keeps it, so scores agree to the last digit).
    const lengths = boosts.map(() => new Float64Array(n));
    const average = boosts.map(() => 0);
    // term -> field -> [doc, frequency] pairs in document order.
    const freq = new Map<string, Map<number, number>[]>();
    docs.forEach((d, doc) => {
      boosts.forEach((_, field) => {
        const tokens = d.fields[field];
        if (!tokens) return;
        const unique = new Set(tokens).size;
        (lengths[field] as Float64Array)[doc] = unique;
        average[field] = ((average[field] ?? 0) * doc + unique) / (doc + 1);
        for (const t of tokens) {
          let byField = freq.get(t);
          if (!byField) {
            byField = boosts.map(() => new Map<number, number>());
            freq.set(t, byField);
            vocabulary.add(t);
          }
          const m = byField[field] as Map<number, number>;
          m.set(doc, (m.get(doc) ?? 0) + 1);
        }
      });
    });
    for (const [term, byField] of freq) {
      const size = byField.reduce((s, m) => s + m.size, 0);
      const docsOf = new Uint32Array(size);
      const scores = new Float64Array(size);
      let i = 0;
      byField.forEach((m, field) => {
        const matching = m.size;
        const idf = Math.log(1 + (n - matching + 0.5) / (matching + 0.5));
        const avg = average[field] ?? 0;
        const boost = boosts[field] ?? 1;
        for (const [doc, tf] of m) {
          const len = (lengths[field] as Float64Array)[doc] ?? 0;
          docsOf[i] = doc;
          scores[i] = boost * idf * (D + (tf * (K + 1)) / (tf + K * (1 - B + (B * len) / avg)));
          i++;
        }
      });
      this.postings.set(term, { docs: docsOf, scores });
    }
  }

  /** True when the term occurs in some document. */
  has(term: string): boolean {
    return this.postings.has(term);
  }

  /**
   * Documents matching any of the question's terms (in order; a repeated term counts again), best
   * first; equal scores keep the order documents were first matched in.
   */
  search(queryTerms: readonly string[]): Bm25Match[] {
    const found = new Map<number, { score: number; terms: Set<string>; queryTerms: string[] }>();
    for (const q of queryTerms) {
      for (const { term, weight } of this.vocabulary.variants(q)) {
        const p = this.postings.get(term);
        if (!p) continue;
        for (let i = 0; i < p.docs.length; i++) {
          const doc = p.docs[i] as number;
          const score = weight * (p.scores[i] as number);
          let r = found.get(doc);
          if (!r) {
            r = { score: 0, terms: new Set(), queryTerms: [] };
            found.set(doc, r);
          }
          r.score += score;
          r.terms.add(term);
          if (!r.queryTerms.includes(q)) r.queryTerms.push(q);
        }
      }
    }
    const out: Bm25Match[] = [];
    for (const [doc, r] of found)
      out.push({
        id: this.ids[doc] as string,
        doc,
        // Each distinct question term matched multiplies the score, as in MiniSearch.
        score: r.score * (r.queryTerms.length || 1),
        terms: [...r.terms],
        queryTerms: r.queryTerms,
      });
    return out.sort((a, b) => b.score - a.score);
  }
}
