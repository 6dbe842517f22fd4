import { FITTED } from './answer-model.js';

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
] as const satisfies readonly (keyof Features)[];

/** A logistic model: answer when sigmoid(bias + weights · features) reaches the threshold. */
export interface AnswerModel {
  bias: number;
  weights: Record<keyof Features, number>;
  threshold: number;
}

/** The model fitted by `npm run fit` on the suite and the blind set's dev half. */
export const DEFAULT_MODEL: AnswerModel = FITTED;

/** The model's probability that the top entry answers the question. */
export function probability(model: AnswerModel, f: Features): number {
  let z = model.bias;
  for (const name of FEATURE_NAMES) z += model.weights[name] * f[name];
  return 1 / (1 + Math.exp(-z));
}
