// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -11.6072,
  weights: {
    coverage: 2.5301,
    exampleCoverage: 2.2336,
    knownShare: 3.2362,
    concepts: 1.4471,
    margin: 1.8125,
    agree: 0.6271,
    entryAgree: -0.0447,
    focusCoverage: 0.839,
    remit: 3.6697,
    intent: 1.3409,
    intentAgree: 0.2043,
    detailMissing: -2.3585,
    uncovered: -6.091,
  },
  threshold: 0.2,
};
