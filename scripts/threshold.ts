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

/** Every other question of `o`, in scope and out of scope alike, from the first (0) or second (1). */
export function half(o: Outcomes, start: 0 | 1): Outcomes {
  return {
    inScope: o.inScope.filter((_, i) => i % 2 === start),
    outOfScopeAnswered: o.outOfScopeAnswered.filter((_, i) => i % 2 === start),
  };
}

/**
 * The fit's failure share: in-scope questions not answered right, once more for each answered
 * with a wrong entry (the worst outcome), and out-of-scope questions answered, over all questions.
 */
export function failureShare(o: Outcomes): number {
  let failures = 0;
  for (const x of o.inScope) failures += x === 'right' ? 0 : x === 'wrong' ? 2 : 1;
  for (const answered of o.outOfScopeAnswered) if (answered) failures++;
  return failures / (o.inScope.length + o.outOfScopeAnswered.length || 1);
}

/** A threshold's outcomes, and whether the suite allows it. */
export interface SweepRow {
  threshold: number;
  outcomes: Outcomes;
  allowed: boolean;
}

/**
 * The drawn-set chance without the choice's own optimism. The chance a fit reports is the best
 * over every threshold on the same questions, so it favours a model whose figures there happen
 * to peak. Here the threshold is chosen (as `chooseThreshold` does) on one half of the questions
 * and judged on the other, both ways round; `chance` is the mean of the two judged halves.
 */
export function crossChecked(
  rows: readonly SweepRow[],
  draws: Draws = DRAWS,
): { halves: { chosen: number | undefined; judged: number }[]; chance: number } {
  const allowed = rows.filter((r) => r.allowed);
  const halves = ([0, 1] as const).map((start) => {
    const on = allowed.map((r) => half(r.outcomes, start));
    const other = allowed.map((r) => half(r.outcomes, start === 0 ? 1 : 0));
    const chances = chanceAllMet(on, draws);
    const chosen = chooseThreshold(
      allowed.map((r, i) => ({
        threshold: r.threshold,
        chance: chances[i] ?? 0,
        failures: failureShare(on[i] as Outcomes),
      })),
    );
    const at = allowed.findIndex((r) => r.threshold === chosen);
    const judged = at < 0 ? 0 : (chanceAllMet([other[at] as Outcomes], draws)[0] ?? 0);
    return { chosen, judged };
  });
  return { halves, chance: ((halves[0]?.judged ?? 0) + (halves[1]?.judged ?? 0)) / 2 };
}
