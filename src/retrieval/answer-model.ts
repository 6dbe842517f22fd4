// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -13.3799,
  weights: {
    coverage: 2.3808,
    exampleCoverage: 2.0348,
    knownShare: 5.1477,
    concepts: 0.8999,
    margin: 0.6682,
    agree: 0.5289,
    entryAgree: 0.4128,
    focusCoverage: 0.7296,
    remit: 3.4857,
    intent: 2.1998,
    intentAgree: -0.187,
  },
  threshold: 0.14,
};
