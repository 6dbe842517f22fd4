// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -13.4001,
  weights: {
    coverage: 2.409,
    exampleCoverage: 1.4273,
    knownShare: 6.2795,
    concepts: 1.2462,
    margin: 3.5407,
    agree: 0.4222,
    entryAgree: 0.7924,
    focusCoverage: 0.6545,
    remit: 3.8485,
  },
  threshold: 0.54,
};
