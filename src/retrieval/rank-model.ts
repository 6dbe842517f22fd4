// Written by `npm run fit:ranking` (scripts/fit-ranking.ts) on cross-fitted example questions.
// Do not edit by hand: change the rankings or the data, then fit again.
import type { RankWeights } from './fusion.js';

export const RANKING: RankWeights = {
  entry: 0.1479,
  example: 0.1646,
  focus: 0.1372,
  intent: 0.2099,
  coverage: 0.3403,
};
