import { createHash } from 'node:crypto';
import { cachedPacked, hashJson, type Packed } from '../disk-cache.js';
import { labelledDigest } from './examples-digest.js';
import { hashes, sortedKeys } from './feature-table.js';
import { ANALYSIS_VERSION, foldText } from './normalise.js';

/**
 * A naive Bayes model of the advisor's remit: how much a question reads like the guidance's own
 * example questions rather than like the curated examples of questions it declines
 * (`knowledge/out-of-scope.yaml`). Words and word pairs both count, stop words included: "can
 * you write me" and "what's the weather" say as much about a question as its topic words do.
 */
/** Pseudo-features added to every question when averaging, so short ones count for less. */
const SHRINK = 6;
/**
 * How many pseudo-counts an entry's own examples are smoothed with, drawn from all the examples
 * (Dirichlet smoothing): an entry has 60 to 100 examples, so a word none of them uses still gets
 * the share it has across the guidance. Compared at 20, 50 and 200 on the training writers'
 * questions held out by fold and on the study sets (scripts/fit-answerability.ts).
 */
const ENTRY_PRIOR = 50;
/** Bumped when the features or the stored layout change, so old cache files are not used. */
const FORMAT = 4;

/** Keys of two 32-bit hashes each, sorted by keyA then keyB, for `findPair`. */
interface SortedKeys {
  keyA: Uint32Array;
  keyB: Uint32Array;
}

/**
 * The counts, keyed by two 32-bit hashes of each feature (`hashes`) and sorted for `findPair`: they
 * load from the cache as four typed arrays, which is most of what loading the model cost, with no
 * slot left free. (Until round 13 they sat in an open-addressing table at most half full: at
 * 70,000-odd features that doubled to 262,144 slots, 4 MB, against 1.1 MB sorted.) A test checks
 * that none of the shipped knowledge's features share a key.
 */
interface Counted extends SortedKeys {
  inCounts: Uint32Array;
  outCounts: Uint32Array;
  /** Distinct features. */
  features: number;
  inTotal: number;
  outTotal: number;
}

/**
 * Each entry's own counts of the same features, keyed by entry and feature together (`entryKey`),
 * with each entry's total, for `scores`.
 */
interface EntryCounted extends SortedKeys {
  /** The pair's count, at most 65,535. */
  counts: Uint16Array;
  labels: string[];
  totals: number[];
}

/** The top bits of keyA that pick a bucket of the sorted keys (16,384 buckets). */
const BUCKET_SHIFT = 18;

/** Where each bucket of the sorted keys starts (one more than the buckets: the last is the end). */
function bucketStarts(keyA: Uint32Array): Uint32Array {
  const starts = new Uint32Array((1 << (32 - BUCKET_SHIFT)) + 1);
  // An indexed loop: it runs once a start, before the JIT has compiled it, when a for-of over
  // the keys would allocate a result object for each (see intent.ts's unpack).
  for (let i = 0; i < keyA.length; i++) {
    const bucket = ((keyA[i] as number) >>> BUCKET_SHIFT) + 1;
    starts[bucket] = (starts[bucket] as number) + 1;
  }
  for (let i = 1; i < starts.length; i++)
    starts[i] = (starts[i] as number) + (starts[i - 1] as number);
  return starts;
}

/**
 * Where the key (a, b) sits in the sorted keys, or -1: a binary search within its bucket, a few
 * keys long. Sorted arrays rather than a hash table: the entries' 100,000-odd pairs take about
 * 1 MB (and the buckets 64 kB) instead of 3 MB, with nothing to leave free.
 */
function findPair(t: SortedKeys, starts: Uint32Array, a: number, b: number): number {
  let lo = starts[a >>> BUCKET_SHIFT] as number;
  let hi = starts[(a >>> BUCKET_SHIFT) + 1] as number;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const ka = t.keyA[mid] as number;
    if (ka < a || (ka === a && (t.keyB[mid] as number) < b)) lo = mid + 1;
    else hi = mid;
  }
  return lo < t.keyA.length && t.keyA[lo] === a && t.keyB[lo] === b ? lo : -1;
}

export class RemitModel {
  private readonly table: Counted;
  /** Where each bucket of the table's sorted keys starts. */
  private readonly tableStarts: Uint32Array;
  private readonly vocabulary: number;
  private readonly entries?: EntryCounted;
  private readonly starts: Uint32Array = new Uint32Array(0);
  private readonly entryOf = new Map<string, number>();

  /**
   * With `cacheDirs`, the counts are kept on disk between runs (`cachedPacked`: the totals as
   * JSON, the table as binary arrays). With `labels` (each in-remit text's entry, in order), each
   * entry's own counts are kept too, for `scores`.
   */
  constructor(
    inRemit: readonly string[],
    outOfRemit: readonly string[],
    cacheDirs: readonly string[] = [],
    labels?: readonly string[],
    /** `labelledDigest` of `inRemit` and `labels`, when the caller has it already. */
    digest = labelledDigest(inRemit, labels),
  ) {
    const key = hashJson(createHash('sha256'), [
      FORMAT,
      ANALYSIS_VERSION,
      SHRINK,
      digest,
      outOfRemit,
    ]).digest('hex');
    if (labels) {
      if (labels.length !== inRemit.length) throw new Error('RemitModel: one label per text');
      const entryKey = createHash('sha256')
        .update(JSON.stringify([FORMAT, 'sorted', ANALYSIS_VERSION, digest]))
        .digest('hex');
      this.entries = cachedPacked(cacheDirs, `remit-entries-${entryKey.slice(0, 24)}.bin`, {
        build: () => buildEntryTable(inRemit, labels),
        pack: (c) => ({
          meta: { labels: c.labels, totals: c.totals },
          arrays: [c.keyA, c.keyB, c.counts],
        }),
        unpack: unpackEntries,
      });
      this.starts = bucketStarts(this.entries.keyA);
      for (const [i, label] of this.entries.labels.entries()) this.entryOf.set(label, i);
    }
    this.table = cachedPacked(cacheDirs, `remit-${key.slice(0, 24)}.bin`, {
      build: () => buildTable(inRemit, outOfRemit),
      pack: (c) => ({
        meta: { features: c.features, inTotal: c.inTotal, outTotal: c.outTotal },
        arrays: [c.keyA, c.keyB, c.inCounts, c.outCounts],
      }),
      unpack,
    });
    this.tableStarts = bucketStarts(this.table.keyA);
    this.vocabulary = this.table.features + 1;
  }

  /** True when there are examples of both kinds to compare against. */
  get trained(): boolean {
    return this.table.inTotal > 0 && this.table.outTotal > 0;
  }

  /**
   * The mean log-likelihood ratio per feature (shrunk for short questions), in remit over out of
   * it, clamped to ±3: positive reads like guidance questions, negative like declined ones, 0 when
   * untrained or empty.
   */
  score(question: string): number {
    return this.scores(question).all;
  }

  /**
   * `all` as `score` gives it, and `entry`, the same for the entry `label` alone: how much the
   * question reads like that entry's own example questions rather than like the declined ones
   * (±3). "taking my council laptop to Japan" shares words with declined travel and IT
   * questions, and reads like the devices entry's examples far more. An entry's few examples are
   * smoothed towards all of them. `entry` is 0 without labels, for an unknown entry, or when
   * untrained. Each feature is looked up once for both.
   */
  scores(question: string, label?: string): { all: number; entry: number } {
    if (!this.trained) return { all: 0, entry: 0 };
    const features = featuresOf(question);
    if (features.length === 0) return { all: 0, entry: 0 };
    const e = label === undefined ? undefined : this.entryOf.get(label);
    const entries = e === undefined ? undefined : this.entries;
    const total = e === undefined ? 0 : (entries?.totals[e] ?? 0);
    const table = this.table;
    const { inCounts, outCounts, inTotal, outTotal } = table;
    let all = 0;
    let entry = 0;
    for (const f of features) {
      const [ka, kb] = hashes(f);
      const i = findPair(table, this.tableStarts, ka, kb);
      const held = i >= 0;
      const a = held ? (inCounts[i] as number) : 0;
      const b = held ? (outCounts[i] as number) : 0;
      const pin = (a + 1) / (inTotal + this.vocabulary);
      const pout = (b + 1) / (outTotal + this.vocabulary);
      all += Math.log(pin / pout);
      // A feature neither the examples nor the declines ever used says nothing either way.
      if (entries && e !== undefined && held) {
        const [ea, eb] = entryKey(ka, kb, e);
        const j = findPair(entries, this.starts, ea, eb);
        const own = j >= 0 ? (entries.counts[j] as number) : 0;
        entry += Math.log((own + ENTRY_PRIOR * pin) / (total + ENTRY_PRIOR) / pout);
      }
    }
    return {
      all: shrunk(all, features.length),
      entry: entries ? shrunk(entry, features.length) : 0,
    };
  }
}

/**
 * The key of a feature (by its two hashes) within the entry at position `e`: both hashes mixed
 * with the entry's place, so an entry's counts need no string of their own.
 */
export function entryKey(a: number, b: number, e: number): [number, number] {
  const s = Math.imul(e + 1, 0x9e3779b1);
  return [Math.imul(a ^ s, 0x85ebca6b) >>> 0, (Math.imul(b ^ (s >>> 7), 0xc2b2ae35) ^ s) >>> 0];
}

/** A sum of log-likelihood ratios as a mean per feature, shrunk for short questions, within ±3. */
function shrunk(sum: number, features: number): number {
  // A few features say little: a short question's score is shrunk towards 0.
  return Math.max(-3, Math.min(3, sum / (features + SHRINK)));
}

/** Counts each text's features under its label, as keys sorted for `findPair`. */
function buildEntryTable(texts: readonly string[], labels: readonly string[]): EntryCounted {
  const order = [...new Set(labels)];
  const totals = order.map(() => 0);
  const place = new Map(order.map((l, i) => [l, i]));
  const counts = new Map<string, { e: number; f: string; n: number }>();
  texts.forEach((text, k) => {
    const e = place.get(labels[k] as string) as number;
    for (const f of featuresOf(text)) {
      const key = `${e}\t${f}`;
      const c = counts.get(key) ?? { e, f, n: 0 };
      c.n++;
      counts.set(key, c);
      totals[e] = (totals[e] as number) + 1;
    }
  });
  const pairs = [...counts.values()]
    .map(({ e, f, n }) => [...entryKey(...hashes(f), e), Math.min(n, 0xffff)] as const)
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return {
    keyA: Uint32Array.from(pairs, (p) => p[0]),
    keyB: Uint32Array.from(pairs, (p) => p[1]),
    counts: Uint16Array.from(pairs, (p) => p[2]),
    labels: order,
    totals,
  };
}

/** The entries' table in a packed value, or undefined when its parts do not fit together. */
function unpackEntries(p: Packed): EntryCounted | undefined {
  const m = p.meta as { labels?: unknown; totals?: unknown } | null;
  const [keyA, keyB, counts] = p.arrays;
  if (
    !m ||
    !Array.isArray(m.labels) ||
    !m.labels.every((l) => typeof l === 'string') ||
    !Array.isArray(m.totals) ||
    m.totals.length !== m.labels.length ||
    !m.totals.every((n) => typeof n === 'number' && n >= 0) ||
    !(keyA instanceof Uint32Array) ||
    !(keyB instanceof Uint32Array) ||
    !(counts instanceof Uint16Array) ||
    keyB.length !== keyA.length ||
    counts.length !== keyA.length
  )
    return undefined;
  if (!sortedKeys(keyA, keyB)) return undefined;
  return { keyA, keyB, counts, labels: m.labels as string[], totals: m.totals as number[] };
}

/**
 * Counts the features of both kinds of text, as keys sorted for `findPair`. Two features sharing
 * both hashes would share one key's counts (a test checks the shipped knowledge has none).
 */
function buildTable(inRemit: readonly string[], outOfRemit: readonly string[]): Counted {
  const inMap = new Map<string, number>();
  const outMap = new Map<string, number>();
  const inTotal = count(inRemit, inMap);
  const outTotal = count(outOfRemit, outMap);
  const rows = [...new Set([...inMap.keys(), ...outMap.keys()])]
    .map((f) => [...hashes(f), inMap.get(f) ?? 0, outMap.get(f) ?? 0])
    .sort((x, y) => (x[0] as number) - (y[0] as number) || (x[1] as number) - (y[1] as number));
  const merged: number[][] = [];
  for (const r of rows) {
    const last = merged.at(-1);
    if (last && last[0] === r[0] && last[1] === r[1]) {
      last[2] = (last[2] as number) + (r[2] as number);
      last[3] = (last[3] as number) + (r[3] as number);
    } else merged.push(r);
  }
  return {
    keyA: Uint32Array.from(merged, (r) => r[0] as number),
    keyB: Uint32Array.from(merged, (r) => r[1] as number),
    inCounts: Uint32Array.from(merged, (r) => r[2] as number),
    outCounts: Uint32Array.from(merged, (r) => r[3] as number),
    features: merged.length,
    inTotal,
    outTotal,
  };
}

/** Folded words and adjacent pairs, each counted once per text. */
export function featuresOf(text: string): string[] {
  const words = foldText(text).split(/\s+/).filter(Boolean).slice(0, 200);
  const out = new Set(words);
  for (let i = 1; i < words.length; i++) out.add(`${words[i - 1]} ${words[i]}`);
  return [...out];
}

function count(texts: readonly string[], into: Map<string, number>): number {
  let total = 0;
  for (const t of texts)
    for (const f of featuresOf(t)) {
      into.set(f, (into.get(f) ?? 0) + 1);
      total++;
    }
  return total;
}

/** The table in a packed value, or undefined when its parts do not fit together. */
function unpack(p: Packed): Counted | undefined {
  const m = p.meta as { features?: unknown; inTotal?: unknown; outTotal?: unknown } | null;
  const [keyA, keyB, inCounts, outCounts] = p.arrays;
  if (
    !m ||
    typeof m.features !== 'number' ||
    typeof m.inTotal !== 'number' ||
    typeof m.outTotal !== 'number' ||
    !(keyA instanceof Uint32Array) ||
    !(keyB instanceof Uint32Array) ||
    !(inCounts instanceof Uint32Array) ||
    !(outCounts instanceof Uint32Array) ||
    // One key and two counts for each feature, the keys in order.
    m.features !== keyA.length ||
    keyB.length !== keyA.length ||
    inCounts.length !== keyA.length ||
    outCounts.length !== keyA.length ||
    !sortedKeys(keyA, keyB)
  )
    return undefined;
  return {
    keyA,
    keyB,
    inCounts,
    outCounts,
    features: m.features,
    inTotal: m.inTotal,
    outTotal: m.outTotal,
  };
}
