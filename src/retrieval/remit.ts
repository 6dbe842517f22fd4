import { foldText } from './normalise.js';

/**
 * A naive Bayes model of the advisor's remit: how much a question reads like the guidance's own
 * example questions rather than like the curated examples of questions it declines
 * (`knowledge/out-of-scope.yaml`). Words and word pairs both count, stop words included: "can
 * you write me" and "what's the weather" say as much about a question as its topic words do.
 */
/** Pseudo-features added to every question when averaging, so short ones count for less. */
const SHRINK = 6;

export class RemitModel {
  private readonly inCounts = new Map<string, number>();
  private readonly outCounts = new Map<string, number>();
  private readonly inTotal: number;
  private readonly outTotal: number;
  private readonly vocabulary: number;

  constructor(inRemit: readonly string[], outOfRemit: readonly string[]) {
    this.inTotal = count(inRemit, this.inCounts);
    this.outTotal = count(outOfRemit, this.outCounts);
    this.vocabulary = new Set([...this.inCounts.keys(), ...this.outCounts.keys()]).size + 1;
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
      const pin = ((this.inCounts.get(f) ?? 0) + 1) / (this.inTotal + this.vocabulary);
      const pout = ((this.outCounts.get(f) ?? 0) + 1) / (this.outTotal + this.vocabulary);
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
