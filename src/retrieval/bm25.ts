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

/**
 * A built index as plain arrays, which is what is kept on disk between runs: the postings of
 * `terms[t]` are at `offsets[t]` up to `offsets[t + 1]` in `docs` (document) and `scores` (its
 * precomputed BM25+ part, times the field's boost), field by field.
 */
export interface PackedIndex {
  ids: string[];
  terms: string[];
  offsets: Uint32Array;
  docs: Uint32Array;
  scores: Float64Array;
}

/**
 * Builds an index's postings. `boosts` weighs each field (in the order of `IndexDoc.fields`).
 */
export function buildIndex(docs: readonly IndexDoc[], boosts: readonly number[]): PackedIndex {
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
        }
        const m = byField[field] as Map<number, number>;
        m.set(doc, (m.get(doc) ?? 0) + 1);
      }
    });
  });
  let total = 0;
  for (const byField of freq.values()) for (const m of byField) total += m.size;
  const offsets = new Uint32Array(freq.size + 1);
  const docsOf = new Uint32Array(total);
  const scores = new Float64Array(total);
  let i = 0;
  let t = 0;
  for (const byField of freq.values()) {
    offsets[t++] = i;
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
  }
  offsets[t] = i;
  return { ids: docs.map((d) => d.id), terms: [...freq.keys()], offsets, docs: docsOf, scores };
}

/**
 * A match whose matched terms are worked out only when read: a question has a leader in nearly
 * every group of `bestByGroup`, and the caller reads the terms of one or two. They must be read
 * before the index's next search; reading later throws.
 */
class LazyMatch implements Bm25Match {
  private full: Bm25Match | undefined;
  constructor(
    private readonly index: Bm25Index,
    readonly id: string,
    readonly doc: number,
    readonly score: number,
    private readonly pass: number,
  ) {}
  get terms(): string[] {
    this.full ??= this.index.matchOf(this.doc, this.pass);
    return this.full.terms;
  }
  get queryTerms(): string[] {
    this.full ??= this.index.matchOf(this.doc, this.pass);
    return this.full.queryTerms;
  }
}

export class Bm25Index {
  /** Each term's place in `PackedIndex.terms`. */
  private readonly termAt = new Map<string, number>();
  private readonly ids: string[];
  private readonly offsets: Uint32Array;
  private readonly postingDocs: Uint32Array;
  private readonly postingScores: Float64Array;

  /**
   * An index over built postings (`buildIndex`, or read back from disk); every term is added to
   * `vocabulary`, which may be shared with other indexes.
   */
  constructor(
    packed: PackedIndex,
    private readonly vocabulary: Vocabulary,
  ) {
    this.ids = packed.ids;
    this.offsets = packed.offsets;
    this.postingDocs = packed.docs;
    this.postingScores = packed.scores;
    packed.terms.forEach((term, t) => {
      this.termAt.set(term, t);
      vocabulary.add(term);
    });
    const n = packed.ids.length;
    this.acc = new Float64Array(n);
    this.finalScore = new Float64Array(n);
    this.count = new Int32Array(n);
    this.lastQuestionTerm = new Int32Array(n);
    this.head = new Int32Array(n).fill(-2);
    this.touched = new Int32Array(n);
  }

  /** An index built from documents (tests and one-off use; see `buildIndex`). */
  static of(docs: readonly IndexDoc[], boosts: readonly number[], vocabulary = new Vocabulary()) {
    return new Bm25Index(buildIndex(docs, boosts), vocabulary);
  }

  /** True when the term occurs in some document. */
  has(term: string): boolean {
    return this.termAt.has(term);
  }

  /**
   * Documents matching any of the question's terms (in order; a repeated term counts again), best
   * first; equal scores keep the order documents were first matched in.
   */
  search(queryTerms: readonly string[]): Bm25Match[] {
    const touched = this.pass(queryTerms);
    const order = this.ranked(touched);
    return order.map((doc) => this.match(doc));
  }

  /** The best match alone (the first of `search`), without ranking every matched document. */
  best(queryTerms: readonly string[]): Bm25Match | undefined {
    const top = this.leaders(this.pass(queryTerms)).get(0);
    return top === undefined ? undefined : this.match(top);
  }

  /**
   * The best match in each group of documents (`groupOf[doc]`, e.g. the entry an example question
   * belongs to), ranked as `search` ranks; cheaper than `search` when many documents match.
   */
  bestByGroup(queryTerms: readonly string[], groupOf: ArrayLike<number>): Map<number, Bm25Match> {
    const leaders = this.leaders(this.pass(queryTerms), groupOf);
    const out = new Map<number, Bm25Match>();
    for (const [group, doc] of leaders) out.set(group, this.lazyMatch(doc));
    return out;
  }

  /**
   * The full match of `doc` for lazy matches (`LazyMatch`): valid only while `pass` is this index's
   * latest search, since the next one reuses the scratch space the terms come from.
   */
  matchOf(doc: number, pass: number): Bm25Match {
    if (pass !== this.passes) throw new Error('a lazy match was read after a later search');
    return this.match(doc);
  }

  private lazyMatch(doc: number): Bm25Match {
    return new LazyMatch(this, this.ids[doc] as string, doc, this.final(doc), this.passes);
  }

  /** The best-scoring matched document of each group (one group, 0, without `groupOf`), after `pass`. */
  private leaders(touched: number, groupOf?: ArrayLike<number>): Map<number, number> {
    const best = new Map<number, number>();
    if (groupOf) {
      // Per group, its leader so far (-1 none), in an array rather than the map: this runs for
      // every matched document, thousands a question over the example questions.
      const groups: number[] = [];
      for (let i = 0; i < touched; i++) {
        const doc = this.touched[i] as number;
        const group = groupOf[doc] as number;
        if (group >= this.groupLeader.length) {
          const grown = new Int32Array(Math.max(group + 1, this.groupLeader.length * 2)).fill(-1);
          grown.set(this.groupLeader);
          this.groupLeader = grown;
        }
        const held = this.groupLeader[group] as number;
        if (held === -1) {
          this.groupLeader[group] = doc;
          groups.push(group);
        } else if (this.final(doc) > this.final(held)) this.groupLeader[group] = doc;
      }
      for (const group of groups) {
        best.set(group, this.groupLeader[group] as number);
        this.groupLeader[group] = -1;
      }
      return best;
    }
    let leader = -1;
    for (let i = 0; i < touched; i++) {
      const doc = this.touched[i] as number;
      // Ties go to the document matched first, as in a stable sort.
      if (leader === -1 || this.final(doc) > this.final(leader)) leader = doc;
    }
    if (leader !== -1) best.set(0, leader);
    return best;
  }

  // Scratch space for one search at a time (searches are synchronous), sized to the documents.
  private readonly acc: Float64Array;
  /** Final scores of the documents being ranked. */
  private readonly finalScore: Float64Array;
  /** Per document: distinct question terms matched, and the last one counted. */
  private readonly count: Int32Array;
  private readonly lastQuestionTerm: Int32Array;
  /** Per document, the head of its list of matches in the pool; -1 none yet, -2 not matched. */
  private readonly head: Int32Array;
  private readonly touched: Int32Array;
  private touchedCount = 0;
  /** Per group, the leader found so far by `leaders` (-1 none); all -1 between calls. */
  private groupLeader = new Int32Array(0);
  /** Searches so far: a lazy match is valid only until the next. */
  private passes = 0;
  /** Each match of a document: the variant that matched, and the question term it came from. */
  private poolVariant = new Int32Array(4096);
  private poolQuestionTerm = new Int32Array(4096);
  private poolNext = new Int32Array(4096);
  private variantNames: string[] = [];
  private questionTerms: string[] = [];

  /** Scores every document for the question; returns how many were matched. */
  private pass(queryTerms: readonly string[]): number {
    this.passes++;
    // Locals, not fields, in the inner loop: it runs for every posting of every question word.
    const { head, acc, count, lastQuestionTerm, offsets, postingDocs, postingScores } = this;
    const touchedDocs = this.touched;
    for (let i = 0; i < this.touchedCount; i++) head[touchedDocs[i] as number] = -2;
    let touched = 0;
    let pooled = 0;
    this.variantNames = [];
    this.questionTerms = [];
    const variantIds = new Map<string, number>();
    for (const q of queryTerms) {
      // A repeated question term adds its score again but is not a new distinct term.
      const repeat = this.questionTerms.includes(q);
      const qi = repeat ? this.questionTerms.indexOf(q) : this.questionTerms.push(q) - 1;
      for (const { term, weight } of this.vocabulary.variants(q)) {
        const t = this.termAt.get(term);
        if (t === undefined) continue;
        let vi = variantIds.get(term);
        if (vi === undefined) {
          vi = this.variantNames.push(term) - 1;
          variantIds.set(term, vi);
        }
        const end = offsets[t + 1] as number;
        const start = offsets[t] as number;
        if (pooled + (end - start) > this.poolNext.length) this.growPool(pooled + (end - start));
        const poolVariant = this.poolVariant;
        const poolQuestionTerm = this.poolQuestionTerm;
        const poolNext = this.poolNext;
        for (let i = start; i < end; i++) {
          const doc = postingDocs[i] as number;
          if (head[doc] === -2) {
            head[doc] = -1;
            acc[doc] = 0;
            count[doc] = 0;
            lastQuestionTerm[doc] = -1;
            touchedDocs[touched++] = doc;
          }
          acc[doc] = (acc[doc] as number) + weight * (postingScores[i] as number);
          if (!repeat && lastQuestionTerm[doc] !== qi) {
            lastQuestionTerm[doc] = qi;
            count[doc] = (count[doc] as number) + 1;
          }
          poolVariant[pooled] = vi;
          poolQuestionTerm[pooled] = qi;
          poolNext[pooled] = head[doc] as number;
          head[doc] = pooled++;
        }
      }
    }
    this.touchedCount = touched;
    return touched;
  }

  /** Makes room in the pool for at least `needed` matches, keeping those already pooled. */
  private growPool(needed: number): void {
    let size = this.poolNext.length;
    while (size < needed) size *= 2;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.poolVariant = grow(this.poolVariant);
    this.poolQuestionTerm = grow(this.poolQuestionTerm);
    this.poolNext = grow(this.poolNext);
  }

  /** A document's score: the sum, times the number of distinct question terms it matched. */
  private final(doc: number): number {
    return (this.acc[doc] as number) * ((this.count[doc] as number) || 1);
  }

  /** The matched documents, best first (a stable sort keeps first-matched order for ties). */
  private ranked(touched: number): number[] {
    const docs = Array.from(this.touched.subarray(0, touched));
    for (const d of docs) this.finalScore[d] = this.final(d);
    const score = this.finalScore;
    return docs.sort((a, b) => (score[b] as number) - (score[a] as number));
  }

  /**
   * A document's matched terms (each once, most recently pooled first) and question terms (in
   * question order). Runs for every matched entry of every question, so it marks what it has seen
   * in scratch arrays stamped per call rather than building sets.
   */
  private match(doc: number): Bm25Match {
    const stamp = this.nextStamp();
    const terms: string[] = [];
    const asked: number[] = [];
    for (let at = this.head[doc] as number; at >= 0; at = this.poolNext[at] as number) {
      const vi = this.poolVariant[at] as number;
      if (this.variantSeen[vi] !== stamp) {
        this.variantSeen[vi] = stamp;
        terms.push(this.variantNames[vi] as string);
      }
      const qi = this.poolQuestionTerm[at] as number;
      if (this.questionSeen[qi] !== stamp) {
        this.questionSeen[qi] = stamp;
        // Insertion sort: a document matches a handful of question terms.
        let i = asked.length;
        asked.push(qi);
        while (i > 0 && (asked[i - 1] as number) > qi) {
          asked[i] = asked[i - 1] as number;
          i--;
        }
        asked[i] = qi;
      }
    }
    const queryTerms: string[] = new Array(asked.length);
    for (let i = 0; i < asked.length; i++)
      queryTerms[i] = this.questionTerms[asked[i] as number] as string;
    return { id: this.ids[doc] as string, doc, score: this.final(doc), terms, queryTerms };
  }

  /** Per variant and per question term of the current search: the stamp of the last `match` that saw it. */
  private variantSeen = new Int32Array(64);
  private questionSeen = new Int32Array(64);
  private stamp = 0;

  /** A new stamp for `match`, with the scratch arrays sized to the current search. */
  private nextStamp(): number {
    if (this.variantSeen.length < this.variantNames.length)
      this.variantSeen = new Int32Array(this.variantNames.length * 2);
    if (this.questionSeen.length < this.questionTerms.length)
      this.questionSeen = new Int32Array(this.questionTerms.length * 2);
    if (this.stamp === 0x3fffffff) {
      this.stamp = 0;
      this.variantSeen.fill(0);
      this.questionSeen.fill(0);
    }
    return ++this.stamp;
  }
}
