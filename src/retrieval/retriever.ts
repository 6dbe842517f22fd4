import type { Entry, Knowledge } from '../knowledge/index.js';
import { type AnswerModel, DEFAULT_MODEL, type Features, probability } from './answerability.js';
import { Bm25Index, type Bm25Match, Vocabulary } from './bm25.js';
import { Curated } from './curated.js';
import { detailMissing, detailsStated } from './detail.js';
import { labelledDigest } from './examples-digest.js';
import { type Candidate, fuse, type RankParts, type RankWeights } from './fusion.js';
import { IntentModel } from './intent.js';
import {
  countryMissing,
  type EntryCountries,
  entryCountries,
  saysAboutMissing,
} from './jurisdiction.js';
import { buildLexicon } from './lexicon.js';
import { analyse, type Groups, terms } from './normalise.js';
import { RANKING } from './rank-model.js';
import { RemitModel } from './remit.js';

/** A ranked entry. */
export interface Hit {
  entry: Entry;
  /** The ranking score (0-1): a weighted sum of the entry's signals (see `fusion.ts`). */
  score: number;
  /** Weighted share of the question's known-vocabulary concepts this entry matched (0-1). */
  coverage: number;
}

/** The retriever's decision on one question. */
export interface Retrieval {
  /** True when the top entry is a confident answer. */
  answered: boolean;
  /** The question's index terms, after normalisation. */
  queryTerms: string[];
  top?: Hit;
  related: Hit[];
  /** Every ranked hit (up to eight), best first, for evaluation. */
  hits: Hit[];
  /** What the answerability model saw for the top entry, and its verdict (0-1). */
  features?: Features;
  confidence: number;
  /** The threshold `confidence` was compared with: answered when it reaches it. */
  threshold: number;
  /** Answered because the question is one of the top entry's example questions (`asCurated`). */
  curated?: true;
}

const FIELDS = ['title', 'questions', 'keywords', 'answer'] as const;
/** How much a match in each field counts, in the order of `FIELDS`. */
const FIELD_BOOSTS = [3, 3, 2, 1];

/** Share of a concept's weight earned by a fuzzy or prefix match rather than an exact one. */
const APPROX_CREDIT = 0.75;
/** How many ranked entries a retrieval keeps. */
const MAX_HITS = 8;
/** Related entries offered under an answer. */
const MAX_RELATED = 3;
/** A related entry must score at least this share of the top entry's score. */
const RELATED_SHARE = 0.45;
/** Messages with fewer words than this are all question. */
const FOCUS_MIN_WORDS = 20;

/** Entries the classifier ranks this high join the ranking even if few of their words match. */
const INTENT_TOP = 3;

/** With a dense (embeddings) ranking, how much it counts against the lexical score. */
const DENSE_SHARE = 0.5;
/** Dense hits considered: the lexical top entries plus this many from the dense ranking. */
const DENSE_TOP = 5;
/** The known gaps' class in the gap-aware classifier (no entry id has an underscore). */
const GAP = '__gap__';

/** An entry's score from an optional dense ranking (cosine similarity). */
export interface DenseHit {
  id: string;
  score: number;
}

type Doc = Record<(typeof FIELDS)[number], string> & { id: string };

/**
 * Full-text retrieval over guidance entries (BM25, see `bm25.ts`). Each candidate entry is scored
 * on several signals: the whole entry (title, example questions, keywords, body), its single
 * best-matching example question (so a question worded like one staff asked before finds its
 * entry), a long message's asking sentence, the intent classifier and the share of the question's
 * concepts matched; their weights are learnt on cross-fitted example questions (`fusion.ts`).
 * Whether the top entry is a confident answer is decided by a small model fitted on labelled
 * questions (`answerability.ts`); words the guidance never uses are left out of its coverage.
 */
export class Retriever {
  private readonly index: Bm25Index;
  private readonly examples: Bm25Index;
  /** Curated questions the guidance does not answer (an index with no documents when there are none). */
  private readonly uncovered: Bm25Index;
  /** The entry (its position in the knowledge) each example question belongs to. */
  private readonly exampleEntry: Int32Array;
  private readonly docFreq: Map<string, number>;
  /** `weight` of every indexed term, worked out once: coverage asks for it per candidate. */
  private readonly termWeight = new Map<string, number>();
  private readonly size: number;
  private readonly remit: RemitModel;
  /** What curators settled word for word: example questions and curated declines. */
  readonly curated: Curated;
  private readonly intent: IntentModel;
  /** The intent classifier again, with the known gaps as one more class (none without gaps). */
  private readonly gaps: IntentModel | undefined;

  /** Place names (from the sister-city register) set the scene; they are not what a question is about. */
  private readonly places: Set<string>;

  constructor(
    private readonly knowledge: Knowledge,
    private readonly model: AnswerModel = DEFAULT_MODEL,
    /** How much each ranking counts in the fused score (learnt by `npm run fit:ranking`). */
    private readonly weights: RankWeights = RANKING,
    /**
     * Where trained intent-classifier weights may be found, in order; new ones are written to the
     * first (none: trained in each process).
     */
    cacheDirs: string | readonly string[] = [],
  ) {
    const register = knowledge.register;
    const dirs = typeof cacheDirs === 'string' ? [cacheDirs] : cacheDirs;
    const docs = knowledge.entries.map(toDoc);
    // Every entry's title and example questions, which the indexes and both models learn from.
    const examples = knowledge.entries.flatMap((e, entry) =>
      [e.title, ...e.questions].map((text, i) => ({
        id: `${e.id}#${i}`,
        label: e.id,
        entry,
        text,
      })),
    );
    const lexicon = buildLexicon(
      {
        entries: docs.map((d) => ({ id: d.id, fields: FIELDS.map((f) => d[f]) })),
        boosts: FIELD_BOOSTS,
        examples: examples.map(({ id, text }) => ({ id, text })),
        uncovered: knowledge.uncovered ?? [],
        placeNames: (register?.councils ?? [])
          .flatMap((c) => [
            c.place,
            ...c.aliases,
            ...c.relationships.flatMap((r) => [r.city, r.country]),
          ])
          .concat(['New Zealand', 'NZ', 'Aotearoa']),
        topicTexts: knowledge.entries.map((e) => [e.title, ...e.keywords].join(' ')),
      },
      dirs,
    );
    this.places = lexicon.places;
    // Prefix and fuzzy variants of a question's words are looked up once for both indexes.
    const vocabulary = new Vocabulary();
    this.index = new Bm25Index(lexicon.entries, vocabulary);
    this.exampleEntry = Int32Array.from(examples, (x) => x.entry);
    this.examples = new Bm25Index(lexicon.examples, vocabulary);
    this.uncovered = new Bm25Index(lexicon.uncovered, vocabulary);
    this.docFreq = lexicon.docFreq;
    this.size = docs.length;
    for (const [t, df] of this.docFreq) this.termWeight.set(t, Math.log(1 + this.size / df));
    // Both models learn from the examples: their cache keys share one digest of them.
    const texts = examples.map((x) => x.text);
    const labels = examples.map((x) => x.label);
    const digest = labelledDigest(texts, labels);
    this.intent = new IntentModel(examples, dirs, digest);
    const uncovered = knowledge.uncovered ?? [];
    this.gaps = uncovered.length
      ? new IntentModel(
          [...examples, ...uncovered.map((text) => ({ text, label: GAP }))],
          dirs,
          `${digest}:${labelledDigest(uncovered)}`,
          this.intent,
        )
      : undefined;
    this.remit = new RemitModel(texts, knowledge.declines ?? [], dirs, labels, digest);
    this.curated = new Curated(knowledge, dirs, digest);
  }

  /**
   * Which kinds of detail each entry's title and answer state, and which countries they name,
   * worked out once per entry.
   */
  private readonly details = new Map<
    string,
    { stated: readonly boolean[]; countries: EntryCountries }
  >();

  private detailsOf(entry: Entry): { stated: readonly boolean[]; countries: EntryCountries } {
    let d = this.details.get(entry.id);
    if (!d) {
      d = {
        stated: detailsStated(`${entry.title}\n${entry.answer}`),
        countries: entryCountries(entry.title, entry.answer),
      };
      this.details.set(entry.id, d);
    }
    return d;
  }

  /** 1 when the question asks for a detail, or about a country, that the entry never gives. */
  private detailMissing(question: string, entry: Entry): number {
    const { stated, countries } = this.detailsOf(entry);
    return Math.max(
      detailMissing(question, stated),
      countryMissing(question, countries),
      saysAboutMissing(question, countries),
    );
  }

  /**
   * The answerability model in use: trees fitted without the remit signals when the guidance has
   * no curated declines to compare questions with.
   */
  private get decider(): AnswerModel {
    return this.remit.trained ? this.model : (this.model.withoutRemit ?? this.model);
  }

  /** The answerability model's threshold: a question's confidence must reach it to be answered. */
  get threshold(): number {
    return this.decider.threshold;
  }

  /** Rarer terms matter more. */
  private weight(term: string): number {
    return this.termWeight.get(term) ?? Math.log(1 + this.size);
  }

  /**
   * Ranks entries for a question and decides whether the top one is a confident answer. A dense
   * ranking, when one is given, is blended into the order before the decision.
   */
  search(question: string, dense?: readonly DenseHit[]): Retrieval {
    const g = this.gather(question, dense);
    const none: Retrieval = {
      answered: false,
      queryTerms: g.queryTerms,
      related: [],
      hits: [],
      confidence: 0,
      threshold: this.threshold,
    };
    if (!g.parts) return none;
    const { known, concepts, parts, entryMax, exampleMax, intent, intentTop, focus, focusGroups } =
      g;
    const fused = fuse(parts, this.weights, MAX_HITS);

    const hits: Hit[] = [];
    for (const { r, score, coverage } of fused) {
      const entry = this.knowledge.byId.get(String(r.id));
      if (entry) hits.push({ entry, score, coverage });
    }
    const top = hits[0];
    const best = fused[0];
    if (!top || !best) return none;
    const second = fused[1]?.score ?? 0;
    const remit = this.remit.scores(question, top.entry.id);
    const features: Features = {
      coverage: top.coverage,
      exampleCoverage: best.ex ? this.coverage(known, best.ex) : 0,
      knownShare: concepts.length ? known.length / concepts.length : 0,
      concepts: Math.log1p(known.length),
      margin: best.score > 0 ? 1 - second / best.score : 0,
      agree: best.ex && best.ex.score === exampleMax ? 1 : 0,
      entryAgree: best.r.score === entryMax ? 1 : 0,
      remit: remit.all,
      entryRemit: remit.entry,
      intent: intent.get(String(best.r.id)) ?? 0,
      intentAgree: intentTop[0] === String(best.r.id) ? 1 : 0,
      detailMissing: this.detailMissing(question, top.entry),
      uncovered: this.closestUncovered(known, g.query),
      notGap: this.notGap(question, top.entry.id),
      focusCoverage: focus
        ? this.coverage(
            focusGroups.filter((g) => known.some((k) => k === g || k.at(-1) === g.at(-1))),
            best.r,
          )
        : top.coverage,
    };
    const model = this.decider;
    const confidence = known.length === 0 ? 0 : probability(model, features);
    const answered = confidence >= model.threshold;
    return {
      answered,
      queryTerms: g.queryTerms,
      top,
      related: this.related(top, hits.slice(1)),
      hits,
      features,
      confidence,
      threshold: model.threshold,
    };
  }

  /**
   * `r` answered from the first of `ids` it ranked (or, if it ranked none, the first of `ids`):
   * for a question that is one of those entries' curated example questions, word for word
   * (`curatedOwners`). The features and confidence stay as the models gave them, for evaluation
   * and for the curators' record; `curated` says why it was answered.
   */
  asCurated(r: Retrieval, ids: readonly string[]): Retrieval {
    const ranked = r.hits.find((h) => ids.includes(h.entry.id));
    const entry = ranked?.entry ?? ids.map((id) => this.knowledge.byId.get(id)).find(Boolean);
    if (!entry) return r;
    const top: Hit = ranked ?? { entry, score: r.top?.score ?? 0, coverage: 1 };
    const rest = r.hits.filter((h) => h.entry.id !== entry.id);
    return {
      ...r,
      answered: true,
      curated: true,
      top,
      hits: [top, ...rest].slice(0, MAX_HITS),
      related: this.related(top, rest),
    };
  }

  /**
   * What the fused ranking of a question is made from (undefined when no word matched), so the
   * fusion weights can be learnt on stored parts (scripts/fit-ranking.ts).
   */
  rankParts(question: string): RankParts | undefined {
    return this.gather(question).parts;
  }

  /** The rankings of a question, and what the answerability features need from them. */
  private gather(question: string, dense?: readonly DenseHit[]) {
    const groups = dedupeGroups(analyse(question));
    const queryTerms = [...new Set(groups.flat())];
    if (queryTerms.length === 0) return { queryTerms };
    const query = terms(queryTerms.join(' '));
    const byEntry = this.index.search(query);
    if (byEntry.length === 0) return { queryTerms };
    // Words that match nothing anywhere in the guidance say nothing about which entry answers.
    const matched = new Set<string>();
    for (const r of byEntry) for (const t of r.queryTerms) matched.add(t);
    const topical = groups.filter((g) => !g.every((t) => this.places.has(t)));
    const concepts = topical.length ? topical : groups;
    const known = concepts.filter((g) => g.some((t) => matched.has(t)));

    const byExample = new Map<string, Bm25Match>();
    for (const [entry, r] of this.examples.bestByGroup(query, this.exampleEntry))
      byExample.set(this.knowledge.entries[entry]?.id ?? '', r);

    const entryMax = byEntry[0]?.score ?? 1;
    let exampleMax = 1e-9;
    for (const r of byExample.values()) if (r.score > exampleMax) exampleMax = r.score;
    // A long message wraps its question in context: the sentence that asks is ranked on its own.
    const focus = focusOf(question);
    const focusGroups = focus ? dedupeGroups(analyse(focus)) : [];
    const hasFocus = focus !== undefined && focusGroups.length > 0;
    const focusScore = new Map<string, number>();
    if (hasFocus) {
      const byFocus = this.index.search(terms([...new Set(focusGroups.flat())].join(' ')));
      const focusMax = byFocus[0]?.score ?? 1;
      for (const r of byFocus) focusScore.set(String(r.id), r.score / focusMax);
    }
    const lexical: Candidate[] = byEntry.map((r) => {
      const ex = byExample.get(String(r.id));
      return {
        r,
        ex,
        entry: r.score / entryMax,
        example: (ex?.score ?? 0) / exampleMax,
        focus: focusScore.get(String(r.id)) ?? 0,
        coverage: this.coverage(known, r),
      };
    });
    let denseParts: RankParts['dense'];
    if (dense?.length) {
      const denseMax = Math.max(1e-9, ...dense.map((d) => d.score));
      const matched = new Set(byEntry.map((r) => String(r.id)));
      denseParts = {
        score: new Map(dense.map((d) => [d.id, Math.max(0, d.score) / denseMax])),
        // Entries the dense ranking puts near the top join even if few of their words match.
        join: dense
          .slice(0, DENSE_TOP)
          .map((d) => d.id)
          .filter((id) => !matched.has(id) && this.knowledge.byId.has(id)),
        share: DENSE_SHARE,
      };
    }
    // The classifier learnt from the example questions which words tell entries apart.
    const intent = this.intent.predict(question);
    let intentMax = 1e-9;
    for (const p of intent.values()) if (p > intentMax) intentMax = p;
    const relative = new Map<string, number>();
    for (const [id, p] of intent) relative.set(id, p / intentMax);
    const intentTop = topEntries(intent, INTENT_TOP);
    const parts: RankParts = {
      lexical,
      hasFocus,
      dense: denseParts,
      intent: relative,
      intentJoin: intentTop.filter((id) => this.knowledge.byId.has(id)),
    };
    return {
      queryTerms,
      query,
      known,
      concepts,
      parts,
      entryMax,
      exampleMax,
      intent,
      intentTop,
      focus,
      focusGroups,
    };
  }

  /**
   * How much likelier the entry is than a known gap, to the classifier that learnt both: its
   * probability over the two together (1 when there are no known gaps).
   */
  private notGap(question: string, id: string): number {
    if (!this.gaps) return 1;
    const p = this.gaps.predict(question);
    const entry = p.get(id) ?? 0;
    const gap = p.get(GAP) ?? 0;
    return entry + gap > 0 ? entry / (entry + gap) : 1;
  }

  /**
   * How closely the question matches its nearest known gap, both ways: the smaller of the share of
   * the question's known concepts the gap covers and the share of the gap's concepts the question
   * has. A gap that asks more ("is there a group size limit for registering on SafeTravel?") does
   * not count against a plain question it contains ("how do I register on SafeTravel?").
   */
  private closestUncovered(known: Groups, query: string[]): number {
    const best = this.uncovered.best(query);
    if (!best) return 0;
    let gap = this.gapConcepts.get(best.doc);
    if (!gap) {
      gap = dedupeGroups(analyse(this.knowledge.uncovered?.[best.doc] ?? ''));
      this.gapConcepts.set(best.doc, gap);
    }
    const asked = new Set(query);
    const reverse = this.weightedShare(gap, (group) => (group.some((t) => asked.has(t)) ? 1 : 0));
    return Math.min(this.coverage(known, best), reverse);
  }

  /** The concepts of each known gap, analysed when a question first comes close to it. */
  private readonly gapConcepts = new Map<number, Groups>();

  /**
   * Weighted share of the question's known concepts that `result` matched. A concept matches
   * through any of its terms; a fuzzy or prefix match earns part of the credit.
   */
  private coverage(known: Groups, result: Bm25Match): number {
    // This runs for every candidate of every question: one closure a call, no iterators.
    const exact = result.terms;
    const approx = result.queryTerms;
    return this.weightedShare(known, (group) =>
      sharesAny(group, exact) ? 1 : sharesAny(group, approx) ? APPROX_CREDIT : 0,
    );
  }

  /**
   * The share of `groups` that `credit` gives (1, part, or 0 for each), each group weighed by its
   * canonical term (the last): a synonym adds no extra weight.
   */
  private weightedShare(groups: Groups, credit: (group: readonly string[]) => number): number {
    const weights = this.weightsOf(groups);
    let total = 0;
    let hit = 0;
    for (let i = 0; i < groups.length; i++) {
      const w = weights[i] as number;
      total += w;
      hit += w * credit(groups[i] as readonly string[]);
    }
    return total === 0 ? 0 : hit / total;
  }

  /**
   * Each group's weight (its canonical term's), worked out once for a question's groups: coverage
   * weighs the same groups for every candidate, hundreds a question.
   */
  private weightsOf(groups: Groups): number[] {
    let weights = this.groupWeights.get(groups);
    if (!weights) {
      weights = groups.map((group) => this.weight(group[group.length - 1] ?? ''));
      this.groupWeights.set(groups, weights);
    }
    return weights;
  }

  private readonly groupWeights = new WeakMap<Groups, number[]>();

  private related(top: Hit, rest: Hit[]): Hit[] {
    const picked = rest.filter((h) => h.score >= top.score * RELATED_SHARE && h.coverage >= 0.3);
    for (const id of top.entry.related) {
      const entry = this.knowledge.byId.get(id);
      if (entry && !picked.some((h) => h.entry.id === id))
        picked.push({ entry, score: 0, coverage: 0 });
    }
    return picked.slice(0, MAX_RELATED);
  }
}

/**
 * The sentences of a long message that ask something (those ending in "?", else the last one),
 * or undefined for a message short enough to be all question.
 */
export function focusOf(question: string): string | undefined {
  if (question.split(/\s+/).length < FOCUS_MIN_WORDS) return undefined;
  const sentences = question.split(/(?<=[.?!])\s+/).filter((x) => /[\p{L}]/u.test(x));
  if (sentences.length < 2) return undefined;
  const asking = sentences.filter((x) => x.trim().endsWith('?'));
  return (asking.length ? asking : sentences.slice(-1)).join(' ');
}

/**
 * The `n` ids with the highest probabilities, best first, ties in the map's order: what a stable
 * sort of every entry would put first, without sorting them all for every question.
 */
export function topEntries(probabilities: ReadonlyMap<string, number>, n: number): string[] {
  const ids: string[] = [];
  const ps: number[] = [];
  for (const [id, p] of probabilities) {
    if (ids.length === n && p <= (ps[n - 1] as number)) continue;
    let i = Math.min(ids.length, n - 1);
    // Move lower ones down; an equal one stays ahead (it came first).
    while (i > 0 && (ps[i - 1] as number) < p) {
      ids[i] = ids[i - 1] as string;
      ps[i] = ps[i - 1] as number;
      i--;
    }
    ids[i] = id;
    ps[i] = p;
  }
  return ids;
}

/** True when any of `group`'s terms is in `terms` (both a handful long). */
function sharesAny(group: readonly string[], terms: readonly string[]): boolean {
  for (let i = 0; i < group.length; i++) if (terms.includes(group[i] as string)) return true;
  return false;
}

/** Drops repeated concepts, so "phone and laptop" counts the device concept once. */
function dedupeGroups(groups: Groups): Groups {
  const seen = new Set<string>();
  return groups.filter((g) => {
    const key = g[g.length - 1] ?? '';
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toDoc(e: Entry): Doc {
  return {
    id: e.id,
    title: e.title,
    questions: e.questions.join('\n'),
    keywords: e.keywords.join(' '),
    answer: e.answer,
  };
}
