// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -12.5618,
  weights: {
    coverage: 2.8023,
    exampleCoverage: 1.9214,
    knownShare: 3.3343,
    concepts: 1.5028,
    margin: 1.6876,
    agree: 0.5821,
    entryAgree: -0.0137,
    focusCoverage: 0.9076,
    remit: 3.5313,
    intent: 0.3892,
    intentAgree: 0.3042,
  },
  threshold: 0.22,
};
