// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -11.8487,
  weights: {
    coverage: 2.4842,
    exampleCoverage: 1.2171,
    knownShare: 5.3542,
    concepts: 1.1349,
    margin: 1.7453,
    agree: 1.1157,
    entryAgree: -0.454,
    focusCoverage: 0.3905,
    remit: 3.6508,
    intent: 2.1311,
    intentAgree: -0.8639,
  },
  threshold: 0.52,
};
