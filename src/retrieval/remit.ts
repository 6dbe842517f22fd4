import { createHash } from 'node:crypto';
import { cachedPacked, type Packed } from '../disk-cache.js';
import { insert, lookup, tableKeys, tableSize } from './feature-table.js';
import { ANALYSIS_VERSION, foldText } from './normalise.js';

/**
 * A naive Bayes model of the advisor's remit: how much a question reads like the guidance's own
 * example questions rather than like the curated examples of questions it declines
 * (`knowledge/out-of-scope.yaml`). Words and word pairs both count, stop words included: "can
 * you write me" and "what's the weather" say as much about a question as its topic words do.
 */
/** Pseudo-features added to every question when averaging, so short ones count for less. */
const SHRINK = 6;
/** Bumped when the features or the stored layout change, so old cache files are not used. */
const FORMAT = 3;

/**
 * The counts, in an open-addressing hash table keyed by two 32-bit hashes of each feature
 * (`feature-table.ts`): it loads from the cache as four typed arrays, which is most of what loading
 * the model cost. A slot is taken when it has counts (every stored feature was counted at least
 * once). A test checks that none of the shipped knowledge's 50,000-odd features share a key.
 */
interface Counted {
  keyA: Uint32Array;
  keyB: Uint32Array;
  inCounts: Uint32Array;
  outCounts: Uint32Array;
  /** Distinct features. */
  features: number;
  inTotal: number;
  outTotal: number;
}

export class RemitModel {
  private readonly table: Counted;
  private readonly vocabulary: number;

  /**
   * With `cacheDirs`, the counts are kept on disk between runs (`cachedPacked`: the totals as
   * JSON, the table as binary arrays).
   */
  constructor(
    inRemit: readonly string[],
    outOfRemit: readonly string[],
    cacheDirs: readonly string[] = [],
  ) {
    const key = createHash('sha256')
      .update(JSON.stringify([FORMAT, ANALYSIS_VERSION, SHRINK, inRemit, outOfRemit]))
      .digest('hex');
    this.table = cachedPacked(cacheDirs, `remit-${key.slice(0, 24)}.bin`, {
      build: () => buildTable(inRemit, outOfRemit),
      pack: (c) => ({
        meta: { features: c.features, inTotal: c.inTotal, outTotal: c.outTotal },
        arrays: [c.keyA, c.keyB, c.inCounts, c.outCounts],
      }),
      unpack,
    });
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
    if (!this.trained) return 0;
    const features = featuresOf(question);
    if (features.length === 0) return 0;
    const { inCounts, outCounts, inTotal, outTotal } = this.table;
    let sum = 0;
    for (const f of features) {
      const i = slotOf(this.table, f);
      const a = i < 0 ? 0 : (inCounts[i] as number);
      const b = i < 0 ? 0 : (outCounts[i] as number);
      const pin = (a + 1) / (inTotal + this.vocabulary);
      const pout = (b + 1) / (outTotal + this.vocabulary);
      sum += Math.log(pin / pout);
    }
    // A few features say little: a short question's score is shrunk towards 0.
    return Math.max(-3, Math.min(3, sum / (features.length + SHRINK)));
  }
}

/** Where `feature` sits in the table, or -1 when it was never counted. */
function slotOf(t: Counted, feature: string): number {
  return lookup(t, (slot) => taken(t, slot), feature);
}

/** A slot is taken when it holds counts. */
function taken(t: Counted, slot: number): boolean {
  return (t.inCounts[slot] as number) > 0 || (t.outCounts[slot] as number) > 0;
}

/** Counts the features of both kinds of text into a table at most half full. */
function buildTable(inRemit: readonly string[], outOfRemit: readonly string[]): Counted {
  const inMap = new Map<string, number>();
  const outMap = new Map<string, number>();
  const inTotal = count(inRemit, inMap);
  const outTotal = count(outOfRemit, outMap);
  const features = [...new Set([...inMap.keys(), ...outMap.keys()])];
  const size = tableSize(features.length);
  const t: Counted = {
    keyA: new Uint32Array(size),
    keyB: new Uint32Array(size),
    inCounts: new Uint32Array(size),
    outCounts: new Uint32Array(size),
    features: features.length,
    inTotal,
    outTotal,
  };
  for (const f of features) {
    const i = insert(t, (slot) => taken(t, slot), f);
    t.inCounts[i] = (t.inCounts[i] as number) + (inMap.get(f) ?? 0);
    t.outCounts[i] = (t.outCounts[i] as number) + (outMap.get(f) ?? 0);
  }
  return t;
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
  const keys = tableKeys(keyA, keyB);
  if (
    !m ||
    typeof m.features !== 'number' ||
    typeof m.inTotal !== 'number' ||
    typeof m.outTotal !== 'number' ||
    !keys ||
    !(inCounts instanceof Uint32Array) ||
    !(outCounts instanceof Uint32Array) ||
    // More slots than features (a full table would never end a search), counts for each.
    m.features >= keys.keyA.length ||
    inCounts.length !== keys.keyA.length ||
    outCounts.length !== keys.keyA.length
  )
    return undefined;
  return {
    ...keys,
    inCounts,
    outCounts,
    features: m.features,
    inTotal: m.inTotal,
    outTotal: m.outTotal,
  };
}
