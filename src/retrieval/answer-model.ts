// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -12.2222,
  weights: {
    coverage: 2.5308,
    exampleCoverage: 1.9894,
    knownShare: 2.539,
    concepts: 1.6522,
    margin: 1.519,
    agree: 0.7578,
    entryAgree: 0.0322,
    focusCoverage: 0.797,
    remit: 3.6036,
    intent: 0.7549,
    intentAgree: 0.32,
    detailMissing: -2.6692,
  },
  threshold: 0.22,
};
