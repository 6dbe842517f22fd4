// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -13.4419,
  weights: {
    coverage: 2.68,
    exampleCoverage: 1.699,
    knownShare: 5.339,
    concepts: 0.8408,
    margin: -0.9096,
    agree: 0.6421,
    entryAgree: 0.653,
    focusCoverage: 0.8531,
    remit: 3.409,
    intent: 2.6521,
    intentAgree: -0.1602,
  },
  threshold: 0.14,
};
