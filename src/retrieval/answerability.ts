import FITTED from './answer-model.json' with { type: 'json' };

/** What the answerability model sees about a question and its best entry. */
export interface Features {
  /** Weighted share of the question's known-vocabulary concepts the entry matched (0-1). */
  coverage: number;
  /** The same share for the entry's single best-matching example question (0-1). */
  exampleCoverage: number;
  /** Share of the question's concepts that the guidance uses anywhere (0-1). */
  knownShare: number;
  /** log(1 + number of known concepts). */
  concepts: number;
  /** 1 - second score / top score, on the fused ranking (0-1). */
  margin: number;
  /** 1 when the entry also holds the best-matching example question overall. */
  agree: number;
  /** 1 when the entry is also first on its whole text (title, questions, keywords and body). */
  entryAgree: number;
  /** For a long message, the coverage of its asking sentence's known concepts; else `coverage`. */
  focusCoverage: number;
  /** How much the question reads like the guidance's example questions rather than declined ones (±3). */
  remit: number;
  /** The intent classifier's probability for the entry (0-1). */
  intent: number;
  /** 1 when the intent classifier ranks the entry first. */
  intentAgree: number;
  /**
   * 1 when the question asks for a kind of detail the entry never states (`detail.ts`), or about a
   * country's rules when the entry is about another country's and never names it (`jurisdiction.ts`).
   */
  detailMissing: number;
  /**
   * How closely the question matches its nearest curated question that the guidance does not
   * answer, both ways (0-1; 0 when there are none): a question worded like a known gap is likely
   * one too.
   */
  uncovered: number;
  /**
   * How much the question reads like the top entry's own example questions rather than like the
   * declined ones (±3): `remit` for that entry alone.
   */
  entryRemit: number;
  /**
   * P(top entry) ÷ (P(top entry) + P(known gap)) from a second intent classifier that learnt the
   * known gaps as one more class (0-1; 1 when there are none): where `uncovered` looks for the one
   * nearest gap, this learns which words make a question a gap ("exact titles", "so far", "how
   * long does it take") on every gap at once.
   */
  notGap: number;
}

export const FEATURE_NAMES = [
  'coverage',
  'exampleCoverage',
  'knownShare',
  'concepts',
  'margin',
  'agree',
  'entryAgree',
  'focusCoverage',
  'remit',
  'intent',
  'intentAgree',
  'detailMissing',
  'uncovered',
  'entryRemit',
  'notGap',
] as const satisfies readonly (keyof Features)[];

export type FeatureName = (typeof FEATURE_NAMES)[number];

/**
 * A regression tree: a leaf's value, or a split `[feature, cut, tree for values up to the cut,
 * tree for values above it]`.
 */
export type Tree<K extends string = FeatureName> = number | [K, number, Tree<K>, Tree<K>];

/**
 * Boosted trees on the features (fitted by `npm run fit`, scripts/boost.ts): the log-odds that the
 * top entry answers the question are `base` plus every tree's leaf for the question; it is
 * answered when their sigmoid reaches the threshold.
 */
export interface AnswerModel {
  base: number;
  trees: readonly Tree[];
  threshold: number;
  /**
   * Trees fitted without the two remit signals, with a threshold of their own, for guidance with
   * no curated declines (`out-of-scope.yaml`) to compare questions with.
   */
  withoutRemit?: AnswerModel;
}

/**
 * The signals learnt from `out-of-scope.yaml`: the two that compare a question with the curated
 * declines, and the one that compares it with the known gaps.
 */
export const REMIT_FEATURES: readonly FeatureName[] = ['remit', 'entryRemit', 'notGap'];

/**
 * The model fitted by `npm run fit` on the suite, the blind set's dev half, the curated declines
 * and the training writers' questions, with its threshold chosen on the study sets and the dev half.
 */
export const DEFAULT_MODEL: AnswerModel = checkModel(FITTED);

/**
 * The model file as the answerability model, after checking its shape: every split names a known
 * feature and a finite cut, every leaf is a finite number. A damaged file stops the start with
 * what is wrong, instead of answering on nonsense.
 */
export function checkModel(
  raw: unknown,
  known: ReadonlySet<string> = new Set(FEATURE_NAMES),
): AnswerModel {
  const fail = (why: string): never => {
    throw new Error(
      `The answerability model (src/retrieval/answer-model.json) ${why}. Run npm run fit.`,
    );
  };
  const isTree = (node: unknown): node is Tree =>
    typeof node === 'number'
      ? Number.isFinite(node)
      : Array.isArray(node) &&
        node.length === 4 &&
        known.has(node[0]) &&
        Number.isFinite(node[1]) &&
        isTree(node[2]) &&
        isTree(node[3]);
  if (typeof raw !== 'object' || raw === null) return fail('is not an object');
  const { base, threshold, trees, withoutRemit } = raw as Record<string, unknown>;
  if (typeof base !== 'number' || !Number.isFinite(base)) fail('has no numeric base');
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1))
    fail('has no threshold between 0 and 1');
  if (!Array.isArray(trees)) return fail('has no list of trees');
  trees.forEach((t, i) => {
    if (!isTree(t)) fail(`has a malformed tree (number ${i + 1})`);
  });
  const model: AnswerModel = {
    base: base as number,
    threshold: threshold as number,
    trees: trees as Tree[],
  };
  if (withoutRemit === undefined) return model;
  // Its trees may not split on what they are meant to do without.
  const rest = new Set([...known].filter((n) => !REMIT_FEATURES.includes(n as FeatureName)));
  try {
    return { ...model, withoutRemit: checkModel(withoutRemit, rest) };
  } catch (err) {
    return fail(`has a malformed model without the remit signals (${(err as Error).message})`);
  }
}

/** The model with `threshold` in place of its own, and of its model without the remit signals'. */
export function withThreshold(model: AnswerModel, threshold: number): AnswerModel {
  return {
    ...model,
    threshold,
    ...(model.withoutRemit ? { withoutRemit: { ...model.withoutRemit, threshold } } : {}),
  };
}

/** The model's probability that the top entry answers the question. */
export function probability(model: AnswerModel, f: Features): number {
  let z = model.base;
  for (let node of model.trees) {
    while (typeof node !== 'number') node = f[node[0]] <= node[1] ? node[2] : node[3];
    z += node;
  }
  return 1 / (1 + Math.exp(-z));
}
