// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -12.779,
  weights: {
    coverage: 2.234,
    exampleCoverage: 2.0873,
    knownShare: 3.082,
    concepts: 1.7479,
    margin: 1.4666,
    agree: 0.6592,
    entryAgree: 0.0625,
    focusCoverage: 1.0412,
    remit: 3.558,
    intent: 0.6957,
    intentAgree: 0.2427,
    detailMissing: -2.5403,
  },
  threshold: 0.24,
};
