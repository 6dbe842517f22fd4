/**
 * Learns how the retriever's rankings are fused (src/retrieval/rank-model.ts) from cross-fitted
 * example questions (scripts/cross-fit.ts): the weights that put each held-out example's own
 * entry first most often. Run with `npm run fit:ranking`; `--dry-run` prints without writing.
 *
 * Only the guidance is read: no labelled question set (the suite, the blind halves, the fresh and
 * final sets) plays any part, so the suite and the blind dev half stay fair judges of the result.
 * After a change, refit the answer-or-decline model (`npm run fit`) on the new scores.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadKnowledge } from '../src/knowledge/index.js';
import { fuse, type RankParts, type RankWeights } from '../src/retrieval/fusion.js';
import { RANKING } from '../src/retrieval/rank-model.js';
import { crossFitted } from './cross-fit.js';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const knowledge = await loadKnowledge(root('knowledge'));

/** Hits a retrieval keeps (as the retriever's MAX_HITS). */
const MAX_HITS = 8;

interface Sample {
  parts?: RankParts;
  entry: string;
}
const samples: Sample[] = [];
for (const fold of crossFitted(knowledge)) {
  for (const { question, entry } of fold.examples)
    samples.push({ parts: fold.retriever.rankParts(question), entry });
}

/** Share of the examples whose own entry is first, and among the first three. */
function score(w: RankWeights): { top1: number; top3: number } {
  let top1 = 0;
  let top3 = 0;
  for (const { parts, entry } of samples) {
    if (!parts) continue;
    const rank = fuse(parts, w, MAX_HITS).findIndex((f) => String(f.r.id) === entry);
    if (rank === 0) top1++;
    if (rank >= 0 && rank < 3) top3++;
  }
  return { top1: top1 / samples.length, top3: top3 / samples.length };
}

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const show = (w: RankWeights) => `example ${w.example}, focus ${w.focus}, intent ${w.intent}`;
const long = samples.filter((s) => s.parts?.hasFocus).length;
console.log(
  `${samples.length} cross-fitted example questions (${long} long enough to have an asking sentence)`,
);
const before = score(RANKING);
console.log(`Current (${show(RANKING)}): top-1 ${pct(before.top1)}, top-3 ${pct(before.top3)}`);

// A grid in steps of 0.05, searched in a fixed order: the first best wins, so the fit is
// deterministic. Ties on top-1 go to the better top-3.
const steps = (to: number) => Array.from({ length: Math.round(to / 0.05) + 1 }, (_, i) => i / 20);
let best = { w: RANKING, ...before };
for (const example of steps(1))
  for (const intent of steps(0.9))
    for (const focus of long ? steps(0.6) : [RANKING.focus]) {
      const w = { example, focus, intent };
      const s = score(w);
      if (s.top1 > best.top1 || (s.top1 === best.top1 && s.top3 > best.top3)) best = { w, ...s };
    }
console.log(`Best (${show(best.w)}): top-1 ${pct(best.top1)}, top-3 ${pct(best.top3)}`);

if (!process.argv.includes('--dry-run')) {
  const body = [
    '// Written by `npm run fit:ranking` (scripts/fit-ranking.ts) on cross-fitted example questions.',
    '// Do not edit by hand: change the rankings or the data, then fit again.',
    "import type { RankWeights } from './fusion.js';",
    '',
    'export const RANKING: RankWeights = {',
    `  example: ${best.w.example},`,
    `  focus: ${best.w.focus},`,
    `  intent: ${best.w.intent},`,
    '};',
    '',
  ].join('\n');
  await writeFile(root('src/retrieval/rank-model.ts'), body);
  console.log('Wrote src/retrieval/rank-model.ts');
}
