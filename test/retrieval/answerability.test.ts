import { describe, expect, it } from 'vitest';
import { bagged, boost } from '../../scripts/boost.js';
import {
  type AnswerModel,
  checkModel,
  DEFAULT_MODEL,
  FEATURE_NAMES,
  type FeatureName,
  type Features,
  probability,
  REMIT_FEATURES,
  type Tree,
  withThreshold,
} from '../../src/retrieval/answerability.js';

/** Features with every signal at `value`, then the given ones. */
function features(value: number, some: Partial<Features> = {}): Features {
  return { ...Object.fromEntries(FEATURE_NAMES.map((n) => [n, value])), ...some } as Features;
}

describe('boosted trees (scripts/boost.ts)', () => {
  // The label is 1 only when both signals are high: no single weighted sum of the two gets
  // every row right, and trees of depth two can.
  const rows: Record<'a' | 'b', number>[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 400; i++) {
    const a = (i % 20) / 19;
    const b = Math.floor(i / 20) / 19;
    rows.push({ a, b });
    labels.push(a > 0.5 && b > 0.5 ? 1 : 0);
  }
  const fitted = boost(['a', 'b'], rows, labels, {
    rounds: 60,
    rate: 0.3,
    depth: 2,
    minLeaf: 5,
  });
  const model: AnswerModel = { ...fitted, threshold: 0.5 } as unknown as AnswerModel;
  const p = (a: number, b: number) => probability(model, { a, b } as unknown as Features);

  it('learns an interaction of two signals', () => {
    expect(p(0.9, 0.9)).toBeGreaterThan(0.9);
    expect(p(0.9, 0.1)).toBeLessThan(0.1);
    expect(p(0.1, 0.9)).toBeLessThan(0.1);
    expect(p(0.1, 0.1)).toBeLessThan(0.1);
  });

  it('gets every training row right', () => {
    const wrong = rows.filter((r, i) => (p(r.a, r.b) >= 0.5 ? 1 : 0) !== labels[i]);
    expect(wrong).toEqual([]);
  });

  it('starts from the log-odds of the labels and names features in its splits', () => {
    const share = labels.filter(Boolean).length / labels.length;
    expect(fitted.base).toBeCloseTo(Math.log(share / (1 - share)), 5);
    const names = new Set<string>();
    const walk = (t: unknown): void => {
      if (Array.isArray(t)) {
        names.add(String(t[0]));
        walk(t[2]);
        walk(t[3]);
      }
    };
    fitted.trees.forEach(walk);
    expect([...names].sort()).toEqual(['a', 'b']);
  });

  it('averages several fits on samples as one model (bagging, --bag)', () => {
    const opts = { rounds: 60, rate: 0.3, depth: 2, minLeaf: 5 };
    const asModel = (m: { base: number; trees: unknown[] }) => (a: number, b: number) =>
      probability(
        { ...m, threshold: 0.5 } as unknown as AnswerModel,
        { a, b } as unknown as Features,
      );
    // Three fits on every row are three copies of one fit: their average is that fit.
    const same = asModel(bagged(['a', 'b'], rows, labels, opts, { k: 3, sample: 1, seed: 7 }));
    for (const [a, b] of [
      [0.9, 0.9],
      [0.9, 0.1],
      [0.3, 0.6],
    ] as const)
      expect(same(a, b)).toBeCloseTo(p(a, b), 4);
    // On samples, the fits differ, and together still learn the interaction; a seed repeats.
    const bag = bagged(['a', 'b'], rows, labels, opts, { k: 3, sample: 0.8, seed: 7 });
    expect(bag.trees).toHaveLength(3 * opts.rounds);
    expect(asModel(bag)(0.9, 0.9)).toBeGreaterThan(0.9);
    expect(asModel(bag)(0.9, 0.1)).toBeLessThan(0.1);
    expect(bagged(['a', 'b'], rows, labels, opts, { k: 3, sample: 0.8, seed: 7 })).toEqual(bag);
    expect(bagged(['a', 'b'], rows, labels, opts, { k: 3, sample: 0.8, seed: 8 })).not.toEqual(bag);
  });

  it('keeps a prediction monotone in a feature when asked, where the data alone would not', () => {
    // The label is 1 only in a band of `a` (and more often when `b` is high): unconstrained trees
    // learn the band's fall as well as its rise; constrained ones may only rise with `a`.
    const rs: Record<'a' | 'b', number>[] = [];
    const ys: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const a = (i % 50) / 49;
      const b = Math.floor(i / 50) / 39;
      rs.push({ a, b });
      ys.push(a > 0.4 && a < 0.7 && (b > 0.3 || i % 3 === 0) ? 1 : 0);
    }
    const opts = { rounds: 80, rate: 0.3, depth: 3, minLeaf: 10 };
    const at = (m: ReturnType<typeof boost<'a' | 'b'>>) => (a: number, b: number) =>
      probability(
        { ...m, threshold: 0.5 } as unknown as AnswerModel,
        { a, b } as unknown as Features,
      );
    const free = at(boost(['a', 'b'], rs, ys, opts));
    const rising = at(boost(['a', 'b'], rs, ys, { ...opts, monotone: { a: 1 } }));
    const falling = at(boost(['a', 'b'], rs, ys, { ...opts, monotone: { a: -1 } }));
    expect(free(0.55, 0.8)).toBeGreaterThan(0.9);
    expect(free(0.95, 0.8)).toBeLessThan(0.1);
    for (let b = 0; b <= 1; b += 0.05)
      for (let a = 0; a < 1; a += 0.01) {
        expect(rising(a + 0.01, b)).toBeGreaterThanOrEqual(rising(a, b) - 1e-12);
        expect(falling(a + 0.01, b)).toBeLessThanOrEqual(falling(a, b) + 1e-12);
      }
    // The constraint does not stop it learning what it may: rising with `a` and with `b`.
    expect(rising(0.95, 0.8)).toBeGreaterThan(rising(0.1, 0.8));
    expect(rising(0.95, 0.8)).toBeGreaterThan(rising(0.95, 0.1));
  });

  it('refuses rows and labels that do not match', () => {
    expect(() =>
      boost(['a'], [{ a: 1 }], [], { rounds: 1, rate: 1, depth: 1, minLeaf: 1 }),
    ).toThrow(/must match/);
  });
});

describe('the shipped answerability model', () => {
  it('is boosted trees over the known signals, with a threshold between 0 and 1', () => {
    expect(DEFAULT_MODEL.trees.length).toBeGreaterThan(10);
    expect(DEFAULT_MODEL.threshold).toBeGreaterThan(0);
    expect(DEFAULT_MODEL.threshold).toBeLessThan(1);
    // Both remit signals are used; the trees for guidance without declines use none of the
    // signals learnt from out-of-scope.yaml.
    const walk = (t: Tree): string[] =>
      typeof t === 'number' ? [] : [t[0], ...walk(t[2]), ...walk(t[3])];
    const splits = (trees: readonly Tree[]) => new Set(trees.flatMap(walk));
    expect([...splits(DEFAULT_MODEL.trees)]).toEqual(
      expect.arrayContaining(['remit', 'entryRemit']),
    );
    const without = DEFAULT_MODEL.withoutRemit;
    expect(without?.trees.length).toBeGreaterThan(10);
    expect(
      [...splits(without?.trees ?? [])].filter((f) => REMIT_FEATURES.includes(f as FeatureName)),
    ).toEqual([]);
  });

  it('is surer of a question its top entry covers well than of one it barely covers', () => {
    const strong = features(0.5, {
      coverage: 1,
      exampleCoverage: 1,
      focusCoverage: 1,
      knownShare: 1,
      concepts: Math.log1p(4),
      margin: 0.5,
      agree: 1,
      entryAgree: 1,
      remit: 3,
      intent: 0.9,
      intentAgree: 1,
      detailMissing: 0,
      uncovered: 0,
    });
    const weak = {
      ...strong,
      coverage: 0.2,
      exampleCoverage: 0.2,
      focusCoverage: 0.2,
      knownShare: 0.3,
      remit: -3,
      intent: 0.05,
      intentAgree: 0,
    };
    expect(probability(DEFAULT_MODEL, strong)).toBeGreaterThan(DEFAULT_MODEL.threshold);
    expect(probability(DEFAULT_MODEL, weak)).toBeLessThan(DEFAULT_MODEL.threshold);
    // A question worded like a known gap is less likely to be answered.
    expect(probability(DEFAULT_MODEL, { ...strong, uncovered: 1 })).toBeLessThan(
      probability(DEFAULT_MODEL, strong),
    );
  });
});

describe('checkModel', () => {
  const good = { base: -1, threshold: 0.4, trees: [['coverage', 0.5, -1, 1], 0.25] };

  it('takes a model with trees of its own for guidance without curated declines', () => {
    const model = checkModel({ ...good, withoutRemit: { ...good, threshold: 0.6 } });
    expect(model.withoutRemit?.threshold).toBe(0.6);
    expect(withThreshold(model, 0.3)).toMatchObject({
      threshold: 0.3,
      withoutRemit: { threshold: 0.3 },
    });
  });

  it('takes a well-formed model', () => {
    const model = checkModel(good);
    expect(probability(model, features(0, { coverage: 0.9 }))).toBeCloseTo(
      1 / (1 + Math.exp(-(-1 + 1 + 0.25))),
      9,
    );
  });

  it.each([
    ['not an object', 'nonsense', /is not an object/],
    ['no base', { ...good, base: 'x' }, /no numeric base/],
    ['a threshold out of range', { ...good, threshold: 1.5 }, /threshold between 0 and 1/],
    ['no trees', { ...good, trees: {} }, /no list of trees/],
    [
      'an unknown feature',
      { ...good, trees: [['colour', 0.5, 0, 1]] },
      /malformed tree \(number 1\)/,
    ],
    ['a split with a missing branch', { ...good, trees: [0, ['coverage', 0.5, 0]] }, /number 2/],
    ['a leaf that is not a number', { ...good, trees: [['coverage', 0.5, 0, 'x']] }, /malformed/],
    [
      'trees without curated declines that split on the remit',
      { ...good, withoutRemit: { ...good, trees: [['entryRemit', 0, -1, 1]] } },
      /without the remit signals \(.*malformed tree/,
    ],
    [
      'trees without curated declines that are not a model',
      { ...good, withoutRemit: { base: 1 } },
      /without the remit signals \(.*threshold/,
    ],
  ])('refuses a model with %s, saying what is wrong', (_, raw, message) => {
    expect(() => checkModel(raw)).toThrow(message);
    expect(() => checkModel(raw)).toThrow(/npm run fit/);
  });
});
