// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -13.3361,
  weights: {
    coverage: 2.4417,
    exampleCoverage: 1.9424,
    knownShare: 5.1795,
    concepts: 0.8592,
    margin: 0.6597,
    agree: 0.4636,
    entryAgree: 0.4379,
    focusCoverage: 0.7675,
    remit: 3.53,
    intent: 2.2645,
    intentAgree: -0.2109,
  },
  threshold: 0.14,
};
