// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -16.3663,
  weights: {
    coverage: 2.9489,
    exampleCoverage: 2.8816,
    knownShare: 7.3656,
    concepts: 2.3568,
    margin: 1.9148,
    remit: 0,
    agree: 0.4575,
    entryAgree: 0.7687,
    focusCoverage: 1.0772,
  },
  threshold: 0.87,
};
