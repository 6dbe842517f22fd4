/**
 * Fits the answerability model (src/retrieval/answer-model.ts) on labelled questions that may be
 * studied: the project's suite and the blind set's dev half. The blind test half and the fresh
 * sets are never read here. Run with `npm run fit`; `--dry-run` prints the fit without writing it.
 *
 * Label: 1 when the top-ranked entry is one the question expects, else 0 (an out-of-scope
 * question, or a wrong top entry). In-scope questions count when they reach retrieval (small talk,
 * declined kinds and register answers are decided before it). Every out-of-scope question counts,
 * even one a decline rule catches first: those rules were written from the same questions, so
 * the retrieval decision must hold without them on data it has not seen.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareQuestion } from '../src/answer.js';
import { type Knowledge, loadKnowledge } from '../src/knowledge/index.js';
import {
  type EvalReport,
  evaluate,
  loadQuestionSet,
  type QuestionSet,
  splitSet,
} from '../src/quality/eval.js';
import {
  type AnswerModel,
  FEATURE_NAMES,
  type Features,
  probability,
} from '../src/retrieval/answerability.js';
import { Retriever, stripGreeting, stripNoise } from '../src/retrieval/index.js';

/** Review dates are compared with this day; any fixed day gives the same figures. */
const TODAY = '2026-11-30';
const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const knowledge = await loadKnowledge(root('knowledge'));
const retriever = new Retriever(knowledge);
const sets: [string, QuestionSet][] = [
  ['suite', await loadQuestionSet(root('test/quality/questions.yaml'))],
  ['dev', splitSet(await loadQuestionSet(root('test/quality/blind.yaml')), 'dev')],
];

interface Sample {
  set: string;
  x: Features;
  y: 0 | 1;
  inScope: boolean;
}
const samples: Sample[] = [];

/**
 * Adds a set's questions that reach retrieval, as `retriever` scores them, to the samples under
 * `name` (in-scope questions the register answers first are not retrieval's to decide).
 */
function addSamples(name: string, set: QuestionSet, k: Knowledge, retriever: Retriever): void {
  for (const { q, expect } of set.inScope) {
    const prepared = prepareQuestion(k, q);
    if (prepared.kind !== 'search') continue;
    const r = retriever.search(prepared.question);
    if (!r.features || !r.top) continue;
    samples.push({
      set: name,
      x: r.features,
      y: expect.includes(r.top.entry.id) ? 1 : 0,
      inScope: true,
    });
  }
  for (const { q } of set.outOfScope) {
    const r = retriever.search(stripGreeting(stripNoise(q)));
    if (!r.features || !r.top) continue;
    samples.push({ set: name, x: r.features, y: 0, inScope: false });
  }
}

for (const [name, set] of sets) addSamples(name, set, knowledge, retriever);

// The curated examples of declined questions (knowledge/out-of-scope.yaml) are more examples of
// what must not be answered. The remit score is learnt from those same examples, so each half's
// features come from a retriever whose remit learnt only the other half (cross-fitting): the model
// then sees remit scores as they are for questions it never learnt from.
const declines = knowledge.declines ?? [];
for (const fold of [0, 1]) {
  const held = declines.filter((_, i) => i % 2 === fold);
  const learnt = declines.filter((_, i) => i % 2 !== fold);
  const crossFitted = new Retriever({ ...knowledge, declines: learnt });
  for (const q of held) {
    const r = crossFitted.search(stripGreeting(stripNoise(q)));
    if (!r.features || !r.top) continue;
    samples.push({ set: 'declines', x: r.features, y: 0, inScope: false });
  }
}

// Questions by blind writers (scripts/training/writer-*.yaml), written from the facts and a topic
// list: the wording of real staff, unlike the entries' own examples. Their in-scope questions are
// also examples of their entries, so each writer's questions are scored by a retriever built
// without that writer's examples and declines (cross-fitting by writer). `--except NAME` leaves a
// writer out altogether, to validate on.
const except = new Set(
  process.argv.flatMap((a, i) => (process.argv[i - 1] === '--except' ? a.split(',') : [])),
);
const trainingDir = root('scripts/training');
const writers = (await readdir(trainingDir))
  .filter((f) => /^writer-.+\.yaml$/.test(f))
  .map((f) => f.replace(/^writer-|\.yaml$/g, ''))
  .filter((name) => !except.has(name));
const writerSets = await Promise.all(
  writers.map((name) => loadQuestionSet(join(trainingDir, `writer-${name}.yaml`))),
);
for (const set of writerSets) {
  const own = new Set([...set.inScope, ...set.outOfScope].map((x) => x.q));
  const without: Knowledge = {
    ...knowledge,
    entries: knowledge.entries.map((e) => ({
      ...e,
      questions: e.questions.filter((q) => !own.has(q)),
    })),
    declines: (knowledge.declines ?? []).filter((q) => !own.has(q)),
    uncovered: (knowledge.uncovered ?? []).filter((q) => !own.has(q)),
  };
  addSamples('writers', set, without, new Retriever(without));
}

/** On the writers' questions at a threshold: right and wrong answers, and out-of-scope declined. */
function writerFigures(model: AnswerModel, t: number) {
  const inScope = writerSets.reduce((n, s) => n + s.inScope.length, 0) || 1;
  const out = writerSets.reduce((n, s) => n + s.outOfScope.length, 0) || 1;
  const answered = samples.filter((d) => d.set === 'writers' && probability(model, d.x) >= t);
  return {
    correct: answered.filter((d) => d.inScope && d.y).length / inScope,
    wrong: answered.filter((d) => d.inScope && !d.y).length / inScope,
    declined: 1 - answered.filter((d) => !d.inScope).length / out,
  };
}

/** Plain logistic regression by gradient descent on standardised features, with a little L2. */
function fitLogistic(data: Sample[]): AnswerModel {
  const names = FEATURE_NAMES;
  const mean = names.map((n) => data.reduce((s, d) => s + d.x[n], 0) / data.length);
  const sd = names.map((n, i) =>
    Math.max(
      1e-6,
      Math.sqrt(data.reduce((s, d) => s + (d.x[n] - (mean[i] ?? 0)) ** 2, 0) / data.length),
    ),
  );
  const z = data.map((d) => names.map((n, i) => (d.x[n] - (mean[i] ?? 0)) / (sd[i] ?? 1)));
  const w = names.map(() => 0);
  let b = 0;
  const rate = 0.1;
  const l2 = 0.01;
  for (let step = 0; step < 4000; step++) {
    const gw = names.map(() => 0);
    let gb = 0;
    data.forEach((d, k) => {
      const row = z[k] ?? [];
      const p = 1 / (1 + Math.exp(-(b + row.reduce((s, v, i) => s + v * (w[i] ?? 0), 0))));
      const err = p - d.y;
      gb += err;
      row.forEach((v, i) => {
        gw[i] = (gw[i] ?? 0) + err * v;
      });
    });
    b -= (rate * gb) / data.length;
    w.forEach((_, i) => {
      w[i] = (w[i] ?? 0) - rate * ((gw[i] ?? 0) / data.length + l2 * (w[i] ?? 0));
    });
  }
  // Back to raw feature units, so the model runs without the scaling.
  const weights = Object.fromEntries(
    names.map((n, i) => [n, (w[i] ?? 0) / (sd[i] ?? 1)]),
  ) as AnswerModel['weights'];
  const bias = b - names.reduce((s, _, i) => s + ((w[i] ?? 0) * (mean[i] ?? 0)) / (sd[i] ?? 1), 0);
  return { bias, weights, threshold: 0.5 };
}

/** Out-of-scope questions that retrieval alone, without the decline rules, would answer. */
function outAnsweredAlone(model: AnswerModel, set: string, t: number): number {
  const out = samples.filter((d) => d.set === set && !d.inScope);
  const total = sets.find(([name]) => name === set)?.[1].outOfScope.length ?? 1;
  return out.filter((d) => probability(model, d.x) >= t).length / total;
}

const model = fitLogistic(samples);
const pct = (n: number) => `${(n * 100).toFixed(1)}%`.padStart(6);
console.log(
  `Samples: ${samples.length} (${samples.filter((s) => s.y).length} with the right top entry; ${samples.filter((s) => s.set === 'declines').length} curated declines, cross-fitted)`,
);
console.log(
  'threshold | suite: correct wrong declined | dev: correct wrong declined | dev out answered without the rules | curated declines answered (cross-fitted) | writers (cross-fitted, retrieval alone): correct wrong declined',
);
// The whole answering path at each threshold, scored exactly as `npm run eval` scores it.
let chosen = 0.9;
let best = -1;
for (let t = 0.04; t <= 0.9001; t += 0.02) {
  const at = { ...model, threshold: Math.round(t * 100) / 100 };
  const r = new Retriever(knowledge, at);
  const [suite, dev] = sets.map(([, set]) => evaluate(knowledge, set, TODAY, r)) as [
    EvalReport,
    EvalReport,
  ];
  const alone = outAnsweredAlone(model, 'dev', t);
  const w = writerFigures(model, t);
  const curated = samples.filter((d) => d.set === 'declines');
  const curatedAnswered =
    curated.filter((d) => probability(model, d.x) >= t).length / curated.length;
  console.log(
    `${at.threshold.toFixed(2)}      | ${pct(suite.top1)} ${pct(suite.wrongEntry)} ${pct(suite.refusalRecall)}  | ${pct(dev.top1)} ${pct(dev.wrongEntry)} ${pct(dev.refusalRecall)} | ${pct(alone)} | ${pct(curatedAnswered)} | ${pct(w.correct)} ${pct(w.wrong)} ${pct(w.declined)}`,
  );
  // The most correct dev answers within the targets, with a margin, since unseen questions
  // fare worse than the data fitted on: on the dev half at most 2 % wrong entries (target 3 %) and
  // at least 97 % declined; the suite at 90 % or more with every out-of-scope question declined;
  // retrieval on its own answering no more than a quarter of the dev half's out-of-scope questions
  // (the rules were written from those questions, so unseen ones must not depend on them alone);
  // and no more than 15 % of the curated declines, cross-fitted (wording the fit has not seen).
  const ok =
    dev.wrongEntry <= 0.02 &&
    curatedAnswered <= 0.15 &&
    dev.refusalRecall >= 0.97 &&
    suite.top1 >= 0.9 &&
    suite.refusalRecall === 1 &&
    alone <= 0.25;
  if (ok && dev.top1 > best) {
    best = dev.top1;
    chosen = at.threshold;
  }
}
model.threshold = chosen;
console.log(`Chosen threshold: ${chosen}`);

if (!process.argv.includes('--dry-run')) {
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  const body = [
    '// Written by `npm run fit` (scripts/fit-answerability.ts) on the suite and the blind dev half.',
    '// Do not edit by hand: change the features or the data, then fit again.',
    "import type { AnswerModel } from './answerability.js';",
    '',
    'export const FITTED: AnswerModel = {',
    `  bias: ${round(model.bias)},`,
    '  weights: {',
    ...FEATURE_NAMES.map((n) => `    ${n}: ${round(model.weights[n])},`),
    '  },',
    `  threshold: ${model.threshold},`,
    '};',
    '',
  ].join('\n');
  await writeFile(root('src/retrieval/answer-model.ts'), body);
  console.log('Wrote src/retrieval/answer-model.ts');
}
