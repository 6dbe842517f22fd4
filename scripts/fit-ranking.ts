/**
 * Learns how the retriever weighs its signals (src/retrieval/rank-model.ts) from cross-fitted
 * example questions (scripts/cross-fit.ts): each held-out example's own entry should come first. Run with `npm run fit:ranking`; `--dry-run` prints without writing.
 *
 * Only the guidance is read: no labelled question set (the suite, the blind halves, the fresh and
 * final sets) plays any part, so the suite and the blind dev half stay fair judges of the result.
 * After a change, refit the answer-or-decline model (`npm run fit`) on the new scores.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadKnowledge } from '../src/knowledge/index.js';
import {
  candidates,
  fuse,
  type RankParts,
  type RankWeights,
  SIGNALS,
} from '../src/retrieval/fusion.js';
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

/**
 * A linear scorer trained with a softmax over each question's candidates, the own entry as the
 * target (the usual listwise loss for ranking): full-batch gradient descent from equal weights,
 * a fixed number of steps, weights kept non-negative. Deterministic. Questions whose own entry
 * is not a candidate at all teach nothing and are left out.
 */
function fitSoftmax(): RankWeights {
  const rows = samples.flatMap(({ parts, entry }) => {
    if (!parts) return [];
    const c = candidates(parts);
    const target = c.findIndex((x) => String(x.r.id) === entry);
    return target < 0 ? [] : [{ x: c.map((x) => x.x), target }];
  });
  const d = SIGNALS.length;
  let w = SIGNALS.map(() => 1);
  for (let step = 0; step < STEPS; step++) {
    const g = SIGNALS.map(() => 0);
    for (const { x, target } of rows) {
      const s = x.map((v) => v.reduce((a, vi, i) => a + vi * (w[i] ?? 0), 0));
      const max = Math.max(...s);
      const e = s.map((v) => Math.exp(v - max));
      const z = e.reduce((a, v) => a + v, 0);
      x.forEach((v, j) => {
        const err = (e[j] ?? 0) / z - (j === target ? 1 : 0);
        for (let i = 0; i < d; i++) g[i] = (g[i] ?? 0) + err * (v[i] ?? 0);
      });
    }
    w = w.map((v, i) => Math.max(0, v - RATE * ((g[i] ?? 0) / rows.length + L2 * v)));
  }
  // Only the order matters: scaled to sum to 1, a score stays between 0 and 1.
  const sum = w.reduce((a, v) => a + v, 0) || 1;
  const round = (n: number) => Math.round((n / sum) * 10_000) / 10_000;
  const [entry = 0, example = 0, focus = 0, intent = 0, coverage = 0] = w.map(round);
  return { entry, example, focus, intent, coverage };
}
const STEPS = 2000;
const RATE = 3;
const L2 = 1e-4;

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const show = (w: RankWeights) => SIGNALS.map((s) => `${s} ${w[s]}`).join(', ');
const long = samples.filter((s) => s.parts?.hasFocus).length;
console.log(
  `${samples.length} cross-fitted example questions (${long} long enough to have an asking sentence)`,
);
const before = score(RANKING);
console.log(`Current (${show(RANKING)}): top-1 ${pct(before.top1)}, top-3 ${pct(before.top3)}`);
const learnt = fitSoftmax();
const after = score(learnt);
console.log(`Learnt (${show(learnt)}): top-1 ${pct(after.top1)}, top-3 ${pct(after.top3)}`);

if (!process.argv.includes('--dry-run')) {
  const body = [
    '// Written by `npm run fit:ranking` (scripts/fit-ranking.ts) on cross-fitted example questions.',
    '// Do not edit by hand: change the rankings or the data, then fit again.',
    "import type { RankWeights } from './fusion.js';",
    '',
    'export const RANKING: RankWeights = {',
    ...SIGNALS.map((s) => `  ${s}: ${learnt[s]},`),
    '};',
    '',
  ].join('\n');
  await writeFile(root('src/retrieval/rank-model.ts'), body);
  console.log('Wrote src/retrieval/rank-model.ts');
}
