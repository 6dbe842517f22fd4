/**
 * Choosing the answer threshold (`npm run fit`): the one most likely to meet issue #11's three
 * targets on a held-out-sized set of questions, estimated by drawing such sets from labelled
 * questions the trees never learnt from.
 */

import { seededRandom } from './seeded-random.js';

/** The targets of issue #11: correct first answers, out-of-scope declined, wrong entries. */
export const TARGETS = { correct: 0.9, declined: 0.95, wrong: 0.03 } as const;

/** Each question's outcome at one threshold, as `evaluate` reports them (`EvalReport.outcomes`). */
export interface Outcomes {
  inScope: readonly ('right' | 'wrong' | 'unanswered')[];
  outOfScopeAnswered: readonly boolean[];
}

/** The size of a drawn set: like the once-only sets, about 72 in scope and 28 out. */
export interface Draws {
  sets: number;
  inScope: number;
  outOfScope: number;
  seed: number;
}
export const DRAWS: Draws = { sets: 3000, inScope: 72, outOfScope: 28, seed: 1 };

/**
 * For each threshold's outcomes (the same questions in the same order), the share of drawn sets
 * (questions drawn with replacement) that meet all three targets. Every threshold is judged on
 * the same draws, so their differences are not draw-to-draw noise.
 */
export function chanceAllMet(curve: readonly Outcomes[], draws: Draws = DRAWS): number[] {
  const first = curve[0];
  if (!first?.inScope.length || !first.outOfScopeAnswered.length) return curve.map(() => 0);
  const next = seededRandom(draws.seed);
  const pick = (n: number) => Math.floor(next() * n);
  const met = curve.map(() => 0);
  for (let s = 0; s < draws.sets; s++) {
    const ins = Array.from({ length: draws.inScope }, () => pick(first.inScope.length));
    const outs = Array.from({ length: draws.outOfScope }, () =>
      pick(first.outOfScopeAnswered.length),
    );
    curve.forEach((o, t) => {
      let right = 0;
      let wrong = 0;
      for (const i of ins) {
        if (o.inScope[i] === 'right') right++;
        else if (o.inScope[i] === 'wrong') wrong++;
      }
      let answered = 0;
      for (const i of outs) if (o.outOfScopeAnswered[i]) answered++;
      const eps = 1e-9;
      if (
        right / draws.inScope >= TARGETS.correct - eps &&
        1 - answered / draws.outOfScope >= TARGETS.declined - eps &&
        wrong / draws.inScope <= TARGETS.wrong + eps
      )
        met[t] = (met[t] as number) + 1;
    });
  }
  return met.map((m) => m / draws.sets);
}

/**
 * The threshold with the lowest cost. Where neighbouring thresholds tie on the lowest (the
 * figures come from whole questions, so they often do), the middle of that run: the choice least
 * moved by a question or two either way, rather than whichever end the scan meets first.
 */
export function middleOfLowest(rows: { threshold: number; cost: number }[]): number | undefined {
  const lowest = Math.min(...rows.map((r) => r.cost));
  const first = rows.findIndex((r) => r.cost <= lowest + 1e-9);
  if (first < 0) return undefined;
  let last = first;
  while (last + 1 < rows.length && (rows[last + 1]?.cost ?? Infinity) <= lowest + 1e-9) last++;
  return rows[Math.floor((first + last) / 2)]?.threshold;
}

/**
 * The threshold most likely to meet all three targets on a drawn set; among thresholds tied on
 * that, the fewest failures; where neighbouring thresholds still tie, the middle of the run.
 */
export function chooseThreshold(
  rows: { threshold: number; chance: number; failures: number }[],
): number | undefined {
  const best = Math.max(...rows.map((r) => r.chance));
  return middleOfLowest(
    rows.map((r) => ({
      threshold: r.threshold,
      cost: r.chance >= best - 1e-9 ? r.failures : Number.POSITIVE_INFINITY,
    })),
  );
}
