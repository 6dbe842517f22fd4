// Written by `npm run fit:ranking` (scripts/fit-ranking.ts) on cross-fitted example questions.
// Do not edit by hand: change the rankings or the data, then fit again.
import type { RankWeights } from './fusion.js';

export const RANKING: RankWeights = {
  entry: 0.1745,
  example: 0.0902,
  focus: 0.0996,
  intent: 0.2452,
  coverage: 0.3905,
};
