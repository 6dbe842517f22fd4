// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  bias: -11.5502,
  weights: {
    coverage: 2.5312,
    exampleCoverage: 2.2506,
    knownShare: 3.2405,
    concepts: 1.4449,
    margin: 1.6966,
    agree: 0.6502,
    entryAgree: -0.0443,
    focusCoverage: 0.8431,
    remit: 3.6492,
    intent: 1.2884,
    intentAgree: 0.2504,
    detailMissing: -2.2944,
    uncovered: -6.3546,
  },
  threshold: 0.2,
};
