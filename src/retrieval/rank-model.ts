// Written by `npm run fit:ranking` (scripts/fit-ranking.ts) on cross-fitted example questions.
// Do not edit by hand: change the rankings or the data, then fit again.
import type { RankWeights } from './fusion.js';

export const RANKING: RankWeights = {
  example: 0.5,
  focus: 0.2,
  intent: 0.3,
};
