/**
 * Gradient-boosted regression trees for a yes/no label (logistic loss), small enough to read: the
 * answerability model is fitted with it (scripts/fit-answerability.ts). Each feature's values are
 * cut into at most `bins` quantile bins once; every tree then grows level by level, choosing at
 * each node the cut with the best second-order gain (as in XGBoost or LightGBM, without their
 * sampling or regularisation terms beyond a leaf's L2 and a minimum leaf size).
 */

import type { Tree } from '../src/retrieval/answerability.js';
import { seededRandom } from './seeded-random.js';

/** A tree as it grows: each split names its feature by position. */
type Grown = number | [number, number, Grown, Grown];

export interface BoostOptions<K extends string = string> {
  /** How many trees. */
  rounds: number;
  /** Each tree's share of the step it would take alone (shrinkage). */
  rate: number;
  /** How many splits from the root to a leaf, at most. */
  depth: number;
  /** The fewest samples a leaf may hold. */
  minLeaf: number;
  /** Candidate cuts per feature (quantiles of its values). */
  bins?: number;
  /** L2 penalty on a leaf's value. */
  lambda?: number;
  /**
   * Features the prediction may only rise with (1) or only fall with (-1). A split on one is
   * taken only when its two sides' values keep that order, and every leaf below it stays on its
   * side of their midpoint, so each tree, and so their sum, is monotone in the feature.
   */
  monotone?: Partial<Record<K, 1 | -1>>;
}

export interface Boosted<K extends string> {
  /** Log-odds before any tree: those of the labels' mean. */
  base: number;
  /** Each tree, its leaves already multiplied by the rate. */
  trees: Tree<K>[];
}

/** Fits trees on rows of named features and 0/1 labels. */
export function boost<K extends string>(
  names: readonly K[],
  rows: readonly Record<K, number>[],
  labels: readonly number[],
  options: BoostOptions<K>,
): Boosted<K> {
  const n = rows.length;
  if (n === 0 || labels.length !== n) throw new Error('boost: rows and labels must match');
  const { rounds, rate, depth, minLeaf, bins = 32, lambda = 1, monotone = {} } = options;
  const direction = names.map(
    (name) => (monotone as Record<string, number | undefined>)[name] ?? 0,
  );
  const mean = Math.min(1 - 1e-6, Math.max(1e-6, labels.reduce((s, y) => s + y, 0) / n));
  const base = Math.log(mean / (1 - mean));
  // Each feature's candidate cuts, and every row's bin (the number of cuts below its value).
  const cuts = names.map((name) =>
    quantileCuts(
      rows.map((r) => r[name]),
      bins,
    ),
  );
  const binned = names.map((name, f) => {
    const c = cuts[f] ?? [];
    return Uint8Array.from(rows, (r) => binOf(c, r[name]));
  });
  const score = new Float64Array(n).fill(base);
  const trees: Grown[] = [];
  for (let round = 0; round < rounds; round++) {
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(score[i] ?? 0)));
      g[i] = (labels[i] ?? 0) - p;
      h[i] = Math.max(1e-9, p * (1 - p));
    }
    /** A leaf's value for these sums, kept within the bounds its monotone splits set. */
    const value = (G: number, H: number, lo: number, hi: number) =>
      Math.min(hi, Math.max(lo, (rate * G) / (H + lambda)));
    const grow = (rowsAt: Int32Array, level: number, lo: number, hi: number): Grown => {
      let G = 0;
      let H = 0;
      for (const i of rowsAt) {
        G += g[i] ?? 0;
        H += h[i] ?? 0;
      }
      const leaf = value(G, H, lo, hi);
      if (level === depth || rowsAt.length < 2 * minLeaf) return leaf;
      let best: { gain: number; f: number; bin: number; mid: number } | undefined;
      for (let f = 0; f < names.length; f++) {
        const col = binned[f] as Uint8Array;
        const nCuts = cuts[f]?.length ?? 0;
        if (nCuts === 0) continue;
        const gs = new Float64Array(nCuts + 1);
        const hs = new Float64Array(nCuts + 1);
        const cs = new Int32Array(nCuts + 1);
        for (const i of rowsAt) {
          const b = col[i] ?? 0;
          gs[b] = (gs[b] ?? 0) + (g[i] ?? 0);
          hs[b] = (hs[b] ?? 0) + (h[i] ?? 0);
          cs[b] = (cs[b] ?? 0) + 1;
        }
        // Left of cut b: every bin up to b (values <= cuts[b]).
        let gl = 0;
        let hl = 0;
        let cl = 0;
        for (let b = 0; b < nCuts; b++) {
          gl += gs[b] ?? 0;
          hl += hs[b] ?? 0;
          cl += cs[b] ?? 0;
          if (cl < minLeaf || rowsAt.length - cl < minLeaf) continue;
          const gr = G - gl;
          const hr = H - hl;
          const wl = value(gl, hl, lo, hi);
          const wr = value(gr, hr, lo, hi);
          const d = direction[f] ?? 0;
          if ((d > 0 && wl > wr) || (d < 0 && wl < wr)) continue;
          const gain =
            (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - (G * G) / (H + lambda);
          if (gain > 1e-12 && (!best || gain > best.gain))
            best = { gain, f, bin: b, mid: (wl + wr) / 2 };
        }
      }
      if (!best) return leaf;
      const { f, bin, mid } = best;
      const col = binned[f] as Uint8Array;
      const left = rowsAt.filter((i) => (col[i] ?? 0) <= bin);
      const right = rowsAt.filter((i) => (col[i] ?? 0) > bin);
      const d = direction[f] ?? 0;
      // Below a monotone split, the side that must stay lower never rises above the midpoint.
      const [leftHi, rightLo] = d > 0 ? [mid, mid] : [hi, lo];
      const [leftLo, rightHi] = d < 0 ? [mid, mid] : [lo, hi];
      return [
        f,
        cuts[f]?.[bin] ?? 0,
        grow(left, level + 1, leftLo, leftHi),
        grow(right, level + 1, rightLo, rightHi),
      ];
    };
    const tree = grow(
      Int32Array.from({ length: n }, (_, i) => i),
      0,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    );
    trees.push(tree);
    for (let i = 0; i < n; i++)
      score[i] = (score[i] ?? 0) + treeValue(tree, names, rows[i] as Record<K, number>);
  }
  return { base, trees: trees.map((t) => named(t, names)) };
}

/**
 * `k` fits, each on a seeded share `sample` of the rows, as one model: their log-odds averaged
 * (the bases averaged, every tree's leaves divided by `k`), so the model file and the code that
 * reads it are as for one fit.
 */
export function bagged<K extends string>(
  names: readonly K[],
  rows: readonly Record<K, number>[],
  labels: readonly number[],
  options: BoostOptions<K>,
  bag: { k: number; sample: number; seed: number },
): Boosted<K> {
  const next = seededRandom(bag.seed);
  let base = 0;
  const trees: Tree<K>[] = [];
  for (let b = 0; b < bag.k; b++) {
    const keep = rows.map(() => next() < bag.sample);
    const fitted = boost(
      names,
      rows.filter((_, i) => keep[i]),
      labels.filter((_, i) => keep[i]),
      options,
    );
    base += fitted.base / bag.k;
    trees.push(...fitted.trees.map((t) => scaled(t, 1 / bag.k)));
  }
  return { base, trees };
}

/** The tree with every leaf multiplied by `by`. */
function scaled<K extends string>(t: Tree<K>, by: number): Tree<K> {
  return typeof t === 'number' ? t * by : [t[0], t[1], scaled(t[2], by), scaled(t[3], by)];
}

/** A tree's value for a row, while its splits still name features by position. */
function treeValue<K extends string>(
  node: Grown,
  names: readonly K[],
  row: Record<K, number>,
): number {
  while (typeof node !== 'number') {
    const [f, cut, left, right] = node;
    node = row[names[f] as K] <= cut ? left : right;
  }
  return node;
}

/** The same tree with each split's feature by name, as the model file keeps it. */
function named<K extends string>(node: Grown, names: readonly K[]): Tree<K> {
  if (typeof node === 'number') return round(node);
  const [f, cut, left, right] = node;
  return [names[f] as K, round(cut), named(left, names), named(right, names)];
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Up to `bins - 1` cut points at evenly spaced quantiles of `values`, each halfway between a value
 * and the next larger one, so that rounding a cut for the model file moves no value across it.
 */
function quantileCuts(values: number[], bins: number): number[] {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const distinct = sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
  const cuts = new Set<number>();
  for (let k = 1; k < bins; k++) {
    const v = sorted[Math.floor((k / bins) * (sorted.length - 1))];
    if (v === undefined) continue;
    const i = distinct.indexOf(v);
    const next = distinct[i + 1];
    // A cut at the largest value splits nothing off.
    if (next !== undefined) cuts.add(round((v + next) / 2));
  }
  return [...cuts].sort((a, b) => a - b);
}

/** How many cuts lie below `value` (values equal to a cut fall on its left). */
function binOf(cuts: readonly number[], value: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value <= (cuts[mid] ?? 0)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
