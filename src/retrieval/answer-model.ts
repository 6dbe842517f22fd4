// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -12.5238,
  weights: {
    coverage: 2.6479,
    exampleCoverage: 1.8448,
    knownShare: 3.5101,
    concepts: 1.471,
    margin: 1.7059,
    agree: 0.6081,
    entryAgree: 0.0113,
    focusCoverage: 0.8758,
    remit: 3.5644,
    intent: 0.4699,
    intentAgree: 0.291,
    detailMissing: -2.902,
  },
  threshold: 0.24,
};
