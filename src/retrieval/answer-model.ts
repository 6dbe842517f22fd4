// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -10.9877,
  weights: {
    coverage: 2.7949,
    exampleCoverage: 2.6564,
    knownShare: 3.3623,
    concepts: 0.973,
    margin: 1.3095,
    agree: 0.6335,
    entryAgree: 0.0075,
    focusCoverage: 0.8058,
    remit: 3.714,
    intent: 1.2563,
    intentAgree: 0.2882,
    detailMissing: -2.3108,
    uncovered: -4.2834,
  },
  threshold: 0.22,
};
