// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -12.9676,
  weights: {
    coverage: 2.1822,
    exampleCoverage: 1.5147,
    knownShare: 6.1866,
    concepts: 1.1621,
    margin: 3.477,
    agree: 0.3722,
    entryAgree: 0.8553,
    focusCoverage: 0.608,
    remit: 3.9257,
    intent: 0,
    intentAgree: 0,
  },
  threshold: 0.58,
};
