// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -13.6049,
  weights: {
    coverage: 2.6479,
    exampleCoverage: 1.7073,
    knownShare: 5.5319,
    concepts: 0.8444,
    margin: -0.8937,
    agree: 0.6423,
    entryAgree: 0.6424,
    focusCoverage: 0.8587,
    remit: 3.4111,
    intent: 2.6972,
    intentAgree: -0.2195,
  },
  threshold: 0.14,
};
