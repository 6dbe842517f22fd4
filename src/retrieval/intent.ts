import { createHash } from 'node:crypto';
import SearchableMap from 'minisearch/SearchableMap';
import { cachedPacked, isStringArray, type Packed } from '../disk-cache.js';
import { labelledDigest } from './examples-digest.js';
import { insert, lookup, MAX_LOAD, type TableKeys, tableKeys, tableSize } from './feature-table.js';
import { ANALYSIS_VERSION, analyse } from './normalise.js';

/**
 * An intent classifier: multinomial logistic regression from a question's words to the entry
 * that answers it, learnt from the entries' own titles and example questions. Where BM25 weighs
 * every shared word by its rarity, this learns which words tell entries apart ("CSO" points to
 * contact reporting, "dime" to expenditure), which is the standard way FAQ bots use example
 * phrasings. It is one signal in the retriever's fused ranking, not the decision on its own.
 *
 * Training is deterministic (a fixed shuffle) and takes a few hundred milliseconds, so trained
 * weights are kept per process and, given a cache folder, on disk, keyed by a hash of the
 * training text: a restart with unchanged guidance loads them instead of training again.
 */

/** One labelled training text. */
export interface IntentExample {
  text: string;
  label: string;
}

const EPOCHS = 30;
const LEARNING_RATE = 0.5;
const L2 = 1e-4;
/** Gradients smaller than this are not applied (most classes, once the model has learnt). */
const SKIP_GRADIENT = 1e-3;
/** Trained weights smaller than this are set to zero. */
const PRUNE = 0.03;
/** A word in at most this many training texts may be corrected to a commoner neighbour. */
const RARE = 1;
/** Corrections remembered, at most. */
const MAX_CORRECTIONS = 10_000;

/**
 * Word terms (with synonyms) and adjacent concept pairs. `correct` may replace a word the model
 * never saw (a typo) with one it did.
 */
export function intentFeatures(
  text: string,
  correct?: (term: string) => string | undefined,
): string[] {
  const groups = analyse(text).map((g) => {
    const fixed = correct && g[0] !== undefined ? correct(g[0]) : undefined;
    return fixed ? [fixed] : g;
  });
  const out = new Set<string>();
  for (const g of groups) for (const t of g) out.add(t);
  for (let i = 1; i < groups.length; i++) out.add(`${groups[i - 1]?.at(-1)}_${groups[i]?.at(-1)}`);
  return [...out];
}

interface Weights {
  labels: string[];
  /**
   * How many features, first in the vocabulary, are a base model's own, in its order: they are
   * looked up in its table, not kept twice. 0 for a model with no base.
   */
  first: number;
  /** Each feature's place in the vocabulary from `first` on, by its text (`featureId`). */
  vocabulary: Vocabulary;
  /** How many training texts use each feature, in vocabulary order (all of them). */
  counts: Uint32Array;
  /**
   * The non-zero weights, by feature (most are zero after pruning): feature f's are at
   * rows[f]..rows[f + 1] in `cols` (the label) and `values`.
   */
  rows: Uint32Array;
  cols: Uint16Array;
  values: Float32Array;
  bias: Float32Array;
}

/**
 * The vocabulary as an open-addressing table (`feature-table.ts`): a slot's `ids` holds its
 * feature's place plus one (0 for a free slot). Loading it reads three arrays instead of parsing
 * 33,000 strings into a map. Only the single words the typo correction searches are kept as text.
 */
interface Vocabulary extends TableKeys {
  ids: Uint32Array;
  /**
   * The table's single words of at least 4 letters, in vocabulary order: what a typo may be
   * corrected to (with a base model, its words come first).
   */
  words: string[];
}

/** The place of `feature` in the vocabulary, or undefined when the model never saw it. */
function featureId(v: Vocabulary, feature: string): number | undefined {
  const i = lookup(v, (slot) => (v.ids[slot] as number) > 0, feature);
  return i < 0 ? undefined : (v.ids[i] as number) - 1;
}

/** A word the typo correction may offer: a single word (not a pair) of at least 4 letters. */
const correctable = (feature: string) => !feature.includes('_') && feature.length >= 4;

/** The table for features in vocabulary order. */
function vocabularyOf(features: readonly string[]): Vocabulary {
  const size = tableSize(features.length);
  const v: Vocabulary = {
    keyA: new Uint32Array(size),
    keyB: new Uint32Array(size),
    ids: new Uint32Array(size),
    words: features.filter(correctable),
  };
  features.forEach((f, id) => {
    v.ids[insert(v, (slot) => (v.ids[slot] as number) > 0, f)] = id + 1;
  });
  return v;
}

/** Feature-major dense weights (weights[feature * k + label]) as `Weights`' sparse rows. */
function sparse(dense: Float32Array, features: number, k: number) {
  let nonZero = 0;
  for (const v of dense) if (v !== 0) nonZero++;
  const rows = new Uint32Array(features + 1);
  const cols = new Uint16Array(nonZero);
  const values = new Float32Array(nonZero);
  let n = 0;
  for (let f = 0; f < features; f++) {
    rows[f] = n;
    for (let c = 0; c < k; c++) {
      const v = dense[f * k + c] ?? 0;
      if (v === 0) continue;
      cols[n] = c;
      values[n++] = v;
    }
  }
  rows[features] = n;
  return { rows, cols, values };
}

const trained = new Map<string, Weights>();
/** Bumped when the features or the training change, so old cache files are not used. */
const FORMAT = 5;

/**
 * The weights on disk (`cachedPacked`): labels and the correctable words as JSON; the vocabulary
 * table, the counts, the sparse rows and the bias as binary arrays, read back as views.
 */
function pack(w: Weights): Packed {
  const v = w.vocabulary;
  return {
    meta: { format: FORMAT, labels: w.labels, words: v.words, first: w.first },
    arrays: [w.counts, w.rows, w.cols, w.values, w.bias, v.keyA, v.keyB, v.ids],
  };
}

/**
 * The weights in a packed value, or undefined when any part has the wrong shape or they share
 * features with a base model other than `base`.
 */
function unpack(p: Packed, base?: Weights): Weights | undefined {
  const m = p.meta as {
    format?: unknown;
    labels?: unknown;
    words?: unknown;
    first?: unknown;
  } | null;
  if (!m || m.format !== FORMAT || !isStringArray(m.labels) || !isStringArray(m.words))
    return undefined;
  const shared = base?.counts.length;
  const first = m.first === 0 ? 0 : shared !== undefined && m.first === shared ? shared : -1;
  if (first < 0) return undefined;
  const [counts, rows, cols, values, bias, keyA, keyB, ids] = p.arrays;
  const k = m.labels.length;
  const keys = tableKeys(keyA, keyB);
  if (
    !(counts instanceof Uint32Array) ||
    !(rows instanceof Uint32Array) ||
    !(cols instanceof Uint16Array) ||
    !(values instanceof Float32Array) ||
    !(bias instanceof Float32Array) ||
    !keys ||
    !(ids instanceof Uint32Array)
  )
    return undefined;
  const features = counts.length;
  if (
    features < first ||
    rows.length !== features + 1 ||
    cols.length !== values.length ||
    rows[features] !== cols.length ||
    bias.length !== k ||
    ids.length !== keys.keyA.length ||
    // No fuller than built: a lookup always meets a free slot.
    features - first > keys.keyA.length * MAX_LOAD
  )
    return undefined;
  for (let f = 0; f < features; f++)
    if ((rows[f] as number) > (rows[f + 1] as number)) return undefined;
  // Indexed loops: these run once a start, before the JIT has compiled them, and a for-of over
  // a typed array then allocates a result object for each of its hundreds of thousands of values.
  for (let i = 0; i < cols.length; i++) if ((cols[i] as number) >= k) return undefined;
  for (let i = 0; i < ids.length; i++) if ((ids[i] as number) > features - first) return undefined;
  return {
    labels: m.labels,
    first,
    vocabulary: { ...keys, ids, words: m.words },
    counts,
    rows,
    cols,
    values,
    bias,
  };
}

export class IntentModel {
  private readonly w: Weights;
  /** The weights' cache key: a hash of the training data (and of the base model's key). */
  private readonly key: string;

  /**
   * `cacheDirs`: folders where trained weights may already be, read in order; new weights are
   * written to the first (the data folder), not to the others (such as the build's own cache).
   */
  constructor(
    examples: readonly IntentExample[],
    cacheDirs: string | readonly string[] = [],
    /** `labelledDigest` of the examples' texts and labels, when the caller has it already. */
    digest = labelledDigest(
      examples.map((e) => e.text),
      examples.map((e) => e.label),
    ),
    /**
     * A model trained on the first of these examples, whose feature table and typo-correction
     * word list this one shares instead of keeping a copy (the retriever's gap classifier shares
     * the plain one's).
     */
    private readonly base?: IntentModel,
  ) {
    this.key = createHash('sha256')
      .update(JSON.stringify([FORMAT, ANALYSIS_VERSION, digest, base?.key ?? null]))
      .digest('hex');
    const dirs = typeof cacheDirs === 'string' ? [cacheDirs] : cacheDirs;
    let w = trained.get(this.key);
    if (!w) {
      w = cachedPacked(dirs, `intent-${this.key.slice(0, 24)}.bin`, {
        build: () => train(examples, base?.w),
        pack,
        unpack: (p) => unpack(p, base?.w),
      });
    }
    trained.set(this.key, w);
    this.w = w;
  }

  /**
   * For a word the model never saw, a known word one edit away (two from 8 letters), as the
   * keyword search's fuzzy matching allows; undefined for a known or uncorrectable word.
   */
  private correct(term: string): string | undefined {
    if (this.corrections.has(term)) return this.corrections.get(term);
    const fixed = this.nearest(term);
    if (this.corrections.size >= MAX_CORRECTIONS) this.corrections.clear();
    this.corrections.set(term, fixed);
    return fixed;
  }

  /** Corrections already worked out, since the search is the slow part of a prediction. */
  private readonly corrections = new Map<string, string | undefined>();

  private nearest(term: string): string | undefined {
    const { counts } = this.w;
    const seen = counts[this.id(term) ?? -1] ?? 0;
    // A word seen in one example may itself be a typo there; a common neighbour is likelier.
    if (seen > RARE || term.length < 5 || /\d/.test(term)) return undefined;
    const max = term.length >= 8 ? 2 : 1;
    // The nearest word, then the commonest, then the first the model learnt.
    let best: { word: string; distance: number; count: number; order: number } | undefined;
    for (const [known, [order, distance]] of this.fuzzyWords(term, max)) {
      if (known === term) continue;
      const count = counts[this.id(known) ?? -1] ?? 0;
      if (count <= seen * 3) continue;
      if (
        !best ||
        distance < best.distance ||
        (distance === best.distance &&
          (count > best.count || (count === best.count && order < best.order)))
      )
        best = { word: known, distance, count, order };
    }
    return best?.word;
  }

  /** A feature's place in the vocabulary, or undefined when the model never saw it. */
  private id(feature: string): number | undefined {
    const { first, vocabulary } = this.w;
    if (first > 0) {
      const shared = this.base?.id(feature);
      if (shared !== undefined) return shared;
    }
    const own = featureId(vocabulary, feature);
    return own === undefined ? undefined : first + own;
  }

  /** Whether the base model's features and words come first here, kept in its tables. */
  private get sharesBase(): boolean {
    return this.w.first > 0 && this.base !== undefined;
  }

  private wordMap?: SearchableMap<number>;

  /**
   * The single words in the model's own table (not word pairs), at least 4 letters long, each
   * with its place among all its words (the order the model learnt them in), searchable by edit
   * distance.
   */
  private words(): SearchableMap<number> {
    if (!this.wordMap) {
      this.wordMap = new SearchableMap<number>();
      const words = this.w.vocabulary.words;
      const from = this.sharesBase ? (this.base?.w.vocabulary.words.length ?? 0) : 0;
      words.forEach((word, i) => {
        this.wordMap?.set(word, from + i);
      });
    }
    return this.wordMap;
  }

  /**
   * The known words within `max` edits of `term`, with their place and distance: the base
   * model's first, when it shares them.
   */
  private *fuzzyWords(term: string, max: number): Iterable<[string, [number, number]]> {
    if (this.sharesBase && this.base) yield* this.base.words().fuzzyGet(term, max);
    yield* this.words().fuzzyGet(term, max);
  }

  /** The probability of each label for a question (labels with no examples never appear). */
  predict(text: string): Map<string, number> {
    const { labels } = this.w;
    const k = labels.length;
    const out = new Map<string, number>();
    if (k === 0) return out;
    const ids = intentFeatures(text, (t) => this.correct(t))
      .map((f) => this.id(f))
      .filter((x): x is number => x !== undefined);
    const scores = sparseSoftmax(ids, this.w);
    labels.forEach((label, i) => {
      out.set(label, scores[i] ?? 0);
    });
    return out;
  }
}

/** `softmax` over sparse weights: the same sums, in the same order, without the zeros. */
function sparseSoftmax(ids: number[], w: Weights): Float64Array {
  const k = w.labels.length;
  const norm = ids.length ? 1 / Math.sqrt(ids.length) : 0;
  const z = Float64Array.from(w.bias);
  for (const d of ids)
    for (let j = w.rows[d] ?? 0; j < (w.rows[d + 1] ?? 0); j++) {
      const c = w.cols[j] ?? 0;
      z[c] = (z[c] ?? 0) + (w.values[j] ?? 0) * norm;
    }
  return normalise(z, k);
}

function softmax(ids: number[], weights: Float32Array, bias: Float32Array, k: number) {
  const norm = ids.length ? 1 / Math.sqrt(ids.length) : 0;
  const z = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = bias[c] ?? 0;
    for (const d of ids) s += (weights[d * k + c] ?? 0) * norm;
    z[c] = s;
  }
  return normalise(z, k);
}

/** Scores to probabilities, in place. */
function normalise(z: Float64Array, k: number): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) if ((z[c] ?? 0) > max) max = z[c] ?? 0;
  let sum = 0;
  for (let c = 0; c < k; c++) {
    z[c] = Math.exp((z[c] ?? 0) - max);
    sum += z[c] ?? 0;
  }
  for (let c = 0; c < k; c++) z[c] = (z[c] ?? 0) / sum;
  return z;
}

/**
 * Whether `features` begin with all of `base`'s, in its order: true for a model trained on the
 * base's examples followed by more, since features are numbered as the examples first use them.
 */
function extendsBase(base: Weights, features: readonly string[]): boolean {
  if (base.first !== 0 || features.length < base.counts.length) return false;
  for (let i = 0; i < base.counts.length; i++)
    if (featureId(base.vocabulary, features[i] as string) !== i) return false;
  return true;
}

/**
 * Stochastic gradient descent on the cross-entropy, with a little L2 and a decaying rate. With a
 * `base` whose features come first, only the features after them get a table of their own.
 */
function train(examples: readonly IntentExample[], base?: Weights): Weights {
  const labels = [...new Set(examples.map((e) => e.label))];
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const vocabulary = new Map<string, number>();
  const seen: number[] = [];
  const rows = examples.map((e) => {
    const ids = intentFeatures(e.text).map((f) => {
      let id = vocabulary.get(f);
      if (id === undefined) {
        id = vocabulary.size;
        vocabulary.set(f, id);
      }
      seen[id] = (seen[id] ?? 0) + 1;
      return id;
    });
    return { ids, y: labelIndex.get(e.label) ?? 0 };
  });
  const k = labels.length;
  const weights = new Float32Array(vocabulary.size * k);
  const bias = new Float32Array(k);
  let seed = 1;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const rate = LEARNING_RATE / (1 + epoch * 0.2);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const a = rows[i];
      const b = rows[j];
      if (a && b) {
        rows[i] = b;
        rows[j] = a;
      }
    }
    for (const { ids, y } of rows) {
      if (ids.length === 0) continue;
      const norm = 1 / Math.sqrt(ids.length);
      const p = softmax(ids, weights, bias, k);
      for (let c = 0; c < k; c++) {
        const g = (p[c] ?? 0) - (c === y ? 1 : 0);
        // Classes the example already rules out learn next to nothing from it: skip them.
        if (Math.abs(g) < SKIP_GRADIENT) continue;
        bias[c] = (bias[c] ?? 0) - rate * g;
        for (const d of ids) {
          const at = d * k + c;
          const w = weights[at] ?? 0;
          weights[at] = w - rate * (g * norm + L2 * w);
        }
      }
    }
  }
  // Tiny weights change no ranking; dropping them keeps the model and its cache file small.
  weights.forEach((w, i) => {
    if (Math.abs(w) < PRUNE) weights[i] = 0;
  });
  const features = [...vocabulary.keys()];
  const first = base && extendsBase(base, features) ? base.counts.length : 0;
  return {
    labels,
    first,
    vocabulary: vocabularyOf(features.slice(first)),
    counts: Uint32Array.from(seen, (n) => n ?? 0),
    ...sparse(weights, vocabulary.size, k),
    bias,
  };
}
