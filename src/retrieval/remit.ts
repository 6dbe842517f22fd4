import { createHash } from 'node:crypto';
import { cachedPacked, isStringArray, type Packed } from '../disk-cache.js';
import { ANALYSIS_VERSION, foldText } from './normalise.js';

/**
 * A naive Bayes model of the advisor's remit: how much a question reads like the guidance's own
 * example questions rather than like the curated examples of questions it declines
 * (`knowledge/out-of-scope.yaml`). Words and word pairs both count, stop words included: "can
 * you write me" and "what's the weather" say as much about a question as its topic words do.
 */
/** Pseudo-features added to every question when averaging, so short ones count for less. */
const SHRINK = 6;
/** Bumped when the features change, so old cache files are not used. */
const FORMAT = 2;

/** The counts: each feature with its counts in and out of the remit. */
interface Counted {
  features: string[];
  inCounts: Uint32Array;
  outCounts: Uint32Array;
  inTotal: number;
  outTotal: number;
}

export class RemitModel {
  /** Each feature's place in `inCounts` and `outCounts`. */
  private readonly index = new Map<string, number>();
  private readonly inCounts: Uint32Array;
  private readonly outCounts: Uint32Array;
  private readonly inTotal: number;
  private readonly outTotal: number;
  private readonly vocabulary: number;

  /**
   * With `cacheDirs`, the counts are kept on disk between runs (`cachedPacked`: the features as
   * JSON, the counts as binary arrays).
   */
  constructor(
    inRemit: readonly string[],
    outOfRemit: readonly string[],
    cacheDirs: readonly string[] = [],
  ) {
    const key = createHash('sha256')
      .update(JSON.stringify([FORMAT, ANALYSIS_VERSION, SHRINK, inRemit, outOfRemit]))
      .digest('hex');
    const counted = cachedPacked(cacheDirs, `remit-${key.slice(0, 24)}.bin`, {
      build: (): Counted => {
        const inCounts = new Map<string, number>();
        const outCounts = new Map<string, number>();
        const inTotal = count(inRemit, inCounts);
        const outTotal = count(outOfRemit, outCounts);
        const features = [...new Set([...inCounts.keys(), ...outCounts.keys()])];
        return {
          features,
          inCounts: Uint32Array.from(features, (f) => inCounts.get(f) ?? 0),
          outCounts: Uint32Array.from(features, (f) => outCounts.get(f) ?? 0),
          inTotal,
          outTotal,
        };
      },
      pack: (c) => ({
        meta: { features: c.features, inTotal: c.inTotal, outTotal: c.outTotal },
        arrays: [c.inCounts, c.outCounts],
      }),
      unpack,
    });
    counted.features.forEach((f, i) => {
      this.index.set(f, i);
    });
    this.inCounts = counted.inCounts;
    this.outCounts = counted.outCounts;
    this.inTotal = counted.inTotal;
    this.outTotal = counted.outTotal;
    this.vocabulary = counted.features.length + 1;
  }

  /** True when there are examples of both kinds to compare against. */
  get trained(): boolean {
    return this.inTotal > 0 && this.outTotal > 0;
  }

  /**
   * The mean log-likelihood ratio per feature (shrunk for short questions), in remit over out of
   * it, clamped to ±3: positive
   * reads like guidance questions, negative like declined ones, 0 when untrained or empty.
   */
  score(question: string): number {
    if (!this.trained) return 0;
    const features = featuresOf(question);
    if (features.length === 0) return 0;
    let sum = 0;
    for (const f of features) {
      const i = this.index.get(f);
      const a = i === undefined ? 0 : (this.inCounts[i] as number);
      const b = i === undefined ? 0 : (this.outCounts[i] as number);
      const pin = (a + 1) / (this.inTotal + this.vocabulary);
      const pout = (b + 1) / (this.outTotal + this.vocabulary);
      sum += Math.log(pin / pout);
    }
    // A few features say little: a short question's score is shrunk towards 0.
    return Math.max(-3, Math.min(3, sum / (features.length + SHRINK)));
  }
}

/** Folded words and adjacent pairs, each counted once per text. */
function featuresOf(text: string): string[] {
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

/** The counts in a packed value, or undefined when its parts do not fit together. */
function unpack(p: Packed): Counted | undefined {
  const m = p.meta as { features?: unknown; inTotal?: unknown; outTotal?: unknown } | null;
  const [inCounts, outCounts] = p.arrays;
  if (
    !m ||
    !isStringArray(m.features) ||
    typeof m.inTotal !== 'number' ||
    typeof m.outTotal !== 'number' ||
    !(inCounts instanceof Uint32Array) ||
    !(outCounts instanceof Uint32Array) ||
    inCounts.length !== m.features.length ||
    outCounts.length !== m.features.length
  )
    return undefined;
  return {
    features: m.features,
    inCounts,
    outCounts,
    inTotal: m.inTotal,
    outTotal: m.outTotal,
  };
}
