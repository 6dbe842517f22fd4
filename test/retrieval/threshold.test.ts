import { describe, expect, it } from 'vitest';
import {
  chanceAllMet,
  chooseThreshold,
  crossChecked,
  type Draws,
  failureShare,
  half,
  middleOfLowest,
  type Outcomes,
} from '../../scripts/threshold.js';

/** Outcomes of `right`, `wrong` and unanswered in-scope questions, and out-of-scope ones answered. */
function outcomes(right: number, wrong: number, unanswered: number, out: number, answered: number) {
  return {
    inScope: [
      ...Array<'right'>(right).fill('right'),
      ...Array<'wrong'>(wrong).fill('wrong'),
      ...Array<'unanswered'>(unanswered).fill('unanswered'),
    ],
    outOfScopeAnswered: [...Array(out - answered).fill(false), ...Array(answered).fill(true)],
  } satisfies Outcomes;
}

const draws: Draws = { sets: 4000, inScope: 72, outOfScope: 28, seed: 3 };

describe('the chance that a drawn set meets all three targets (scripts/threshold.ts)', () => {
  it('is 1 when every question goes right, and 0 when half the out-of-scope ones are answered', () => {
    expect(chanceAllMet([outcomes(100, 0, 0, 40, 0)], draws)).toEqual([1]);
    expect(chanceAllMet([outcomes(100, 0, 0, 40, 20)], draws)[0]).toBeLessThan(0.001);
  });

  it('agrees with the binomial chance when only declines can fail', () => {
    // 3 % of out-of-scope questions answered; 28 drawn meet 95 % only with at most one answered:
    // 0.97^28 + 28 x 0.03 x 0.97^27 = 0.797.
    const [chance] = chanceAllMet([outcomes(100, 0, 0, 100, 3)], draws);
    expect(chance).toBeGreaterThan(0.77);
    expect(chance).toBeLessThan(0.83);
  });

  it('counts a set short on right answers or long on wrong ones as a miss', () => {
    // 80 % right: a drawn set of 72 rarely reaches 90 % (65 right), about 2 % of the time.
    expect(chanceAllMet([outcomes(80, 0, 20, 40, 0)], draws)[0]).toBeLessThan(0.05);
    // 6 % wrong: a drawn set rarely stays at 3 % (two wrong of 72) or under.
    expect(chanceAllMet([outcomes(94, 6, 0, 40, 0)], draws)[0]).toBeLessThan(0.25);
  });

  it('gives the same answer from the same seed, and judges every threshold on the same draws', () => {
    const curve = [outcomes(93, 3, 4, 40, 3), outcomes(91, 2, 7, 40, 2)];
    expect(chanceAllMet(curve, draws)).toEqual(chanceAllMet(curve, draws));
    // A threshold no worse on any question than another is never judged less likely to pass.
    const better = outcomes(93, 3, 4, 40, 2);
    const [worse, best] = chanceAllMet([outcomes(93, 3, 4, 40, 3), better], draws);
    expect(best).toBeGreaterThanOrEqual(worse ?? 1);
  });
});

describe('choosing the threshold (scripts/fit-answerability.ts)', () => {
  const rows = (costs: number[]) => costs.map((cost, i) => ({ threshold: 0.04 + i * 0.02, cost }));

  it('takes the lowest cost, the middle of a tied run, and keeps to the first run', () => {
    expect(middleOfLowest(rows([70, 69, 67, 68, 70]))).toBeCloseTo(0.08);
    expect(middleOfLowest(rows([70, 69, 67, 67, 67, 70]))).toBeCloseTo(0.1);
    expect(middleOfLowest(rows([67, 67, 70]))).toBeCloseTo(0.04);
    expect(middleOfLowest(rows([70, 67, 68, 67, 67]))).toBeCloseTo(0.06);
    expect(middleOfLowest([])).toBeUndefined();
  });

  it('takes the threshold likeliest to meet all three targets, not the one with fewest failures', () => {
    const curve = [
      { threshold: 0.1, chance: 0.15, failures: 9.0 },
      { threshold: 0.2, chance: 0.28, failures: 9.4 },
      { threshold: 0.3, chance: 0.31, failures: 9.9 },
      { threshold: 0.4, chance: 0.22, failures: 10.6 },
    ];
    expect(chooseThreshold(curve)).toBe(0.3);
  });

  it('among thresholds equally likely, takes the fewest failures, then the middle of a run', () => {
    expect(
      chooseThreshold([
        { threshold: 0.2, chance: 0.3, failures: 9.6 },
        { threshold: 0.3, chance: 0.3, failures: 9.1 },
        { threshold: 0.4, chance: 0.3, failures: 9.8 },
      ]),
    ).toBe(0.3);
    expect(
      chooseThreshold([
        { threshold: 0.2, chance: 0.2, failures: 9.0 },
        { threshold: 0.3, chance: 0.3, failures: 9.1 },
        { threshold: 0.4, chance: 0.3, failures: 9.1 },
        { threshold: 0.5, chance: 0.3, failures: 9.1 },
      ]),
    ).toBe(0.4);
    expect(chooseThreshold([])).toBeUndefined();
  });
});

describe('the cross-checked chance (scripts/threshold.ts)', () => {
  /** Outcomes whose even-numbered questions go one way and odd-numbered ones another. */
  const split = (evenGood: boolean, oddGood: boolean): Outcomes => ({
    inScope: Array.from({ length: 100 }, (_, i) =>
      (i % 2 === 0 ? evenGood : oddGood) ? 'right' : 'unanswered',
    ),
    outOfScopeAnswered: Array.from({ length: 40 }, (_, i) => !(i % 2 === 0 ? evenGood : oddGood)),
  });

  it('splits the questions into alternate halves and counts failures as the fit does', () => {
    const o = outcomes(90, 4, 6, 40, 2);
    expect(half(o, 0).inScope).toHaveLength(50);
    expect(half(o, 1).outOfScopeAnswered).toHaveLength(20);
    expect([...half(o, 0).inScope, ...half(o, 1).inScope].sort()).toEqual([...o.inScope].sort());
    // 10 not right, a wrong entry counted once more (4), 2 out-of-scope answered, of 140.
    expect(failureShare(o)).toBeCloseTo(16 / 140, 12);
  });

  it('judges the threshold chosen on one half by the other half', () => {
    // Each threshold is perfect on one half and fails the other: chosen on a half, it looks
    // certain to pass there, and fails where it is judged.
    const rows = [
      { threshold: 0.3, outcomes: split(true, false), allowed: true },
      { threshold: 0.5, outcomes: split(false, true), allowed: true },
    ];
    const check = crossChecked(rows, draws);
    expect(check.halves.map((h) => h.chosen)).toEqual([0.3, 0.5]);
    expect(chanceAllMet([half(split(true, false), 0)], draws)).toEqual([1]);
    expect(check.chance).toBe(0);
    // A threshold good on both halves passes wherever it is judged.
    const good = crossChecked(
      [
        { threshold: 0.4, outcomes: split(true, true), allowed: true },
        { threshold: 0.5, outcomes: split(false, false), allowed: true },
      ],
      draws,
    );
    expect(good.halves.map((h) => h.chosen)).toEqual([0.4, 0.4]);
    expect(good.chance).toBe(1);
  });

  it('never chooses a threshold the suite does not allow', () => {
    const check = crossChecked(
      [
        { threshold: 0.4, outcomes: split(true, true), allowed: false },
        { threshold: 0.6, outcomes: split(true, false), allowed: true },
      ],
      draws,
    );
    expect(check.halves.map((h) => h.chosen)).toEqual([0.6, 0.6]);
    expect(check.chance).toBe(0.5);
  });
});
