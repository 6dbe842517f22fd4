// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -11.9227,
  weights: {
    coverage: 2.5276,
    exampleCoverage: 1.9508,
    knownShare: 2.1786,
    concepts: 1.687,
    margin: 1.5727,
    agree: 0.7935,
    entryAgree: 0.0004,
    focusCoverage: 0.8413,
    remit: 3.672,
    intent: 0.7817,
    intentAgree: 0.325,
    detailMissing: -3.2692,
  },
  threshold: 0.24,
};
