// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.
// Do not edit by hand: change the features or the data, then fit again.
import type { AnswerModel } from './answerability.js';

export const FITTED: AnswerModel = {
  "bias": -13.4348,
  "weights": {
    "coverage": 2.5502,
    "exampleCoverage": 2.1168,
    "knownShare": 6.1952,
    "concepts": 1.2279,
    "margin": 2.8632,
    "agree": 0.4681,
    "entryAgree": 1.1644,
    "focusCoverage": 0.3097,
    "remit": 2.9055
  },
  "threshold": 0.9
};
