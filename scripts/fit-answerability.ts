/**
 * Fits the answerability model (boosted trees, src/retrieval/answer-model.json) on labelled
 * questions that may be studied: the project's suite, the blind set's dev half, the curated
 * declines and the training writers' questions; its threshold on the study sets and the dev half.
 * The blind test half, fresh and the held-out final sets (test/quality/) are never read here;
 * the former final sets in scripts/training/ are training writers like the others. Run with
 * `npm run fit`; `--dry-run` prints the fit without writing it, `--monotone` fits trees that only
 * rise or fall with each signal (tried in round 19, not kept); `--bag K` averages K fits on
 * seeded 80 % samples (tried in round 20 with 5, not kept); `--rules-first` leaves out of the fit
 * the out-of-scope questions a decline rule (or the register) decides before retrieval, so the
 * trees learn only from the questions they will decide (tried in round 23, not kept);
 * `--dev-weight K` counts the blind dev half's questions K times (tried in round 23 with 5, not
 * kept: it gained on the dev half itself, which it fits, and nowhere else).
 *
 * Label: 1 when the top-ranked entry is one the question expects, else 0 (an out-of-scope
 * question, or a wrong top entry). In-scope questions count when they reach retrieval (small talk,
 * declined kinds and register answers are decided before it). Every out-of-scope question counts,
 * even one a decline rule catches first: those rules were written from the same questions, so
 * the retrieval decision must hold without them on data it has not seen.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
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
  type FeatureName,
  type Features,
  probability,
  REMIT_FEATURES,
} from '../src/retrieval/answerability.js';
import { Retriever, stripGreeting, stripNoise } from '../src/retrieval/index.js';
import { type BoostOptions, bagged, boost } from './boost.js';
import { chanceAllMet, chooseThreshold, crossChecked, DRAWS, failureShare } from './threshold.js';

/** Review dates are compared with this day; any fixed day gives the same figures. */
const TODAY = '2026-11-30';
/** The values given after `flag` on the command line, split at commas (`--except a,b`). */
const option = (flag: string) =>
  process.argv.flatMap((a, i) => (process.argv[i - 1] === flag ? a.split(',') : []));
/** Signals left out of every fit (`--without a,b`), to measure what they add. */
const leftOut = new Set(option('--without'));
for (const name of leftOut)
  if (!(FEATURE_NAMES as readonly string[]).includes(name)) {
    console.error(`--without: there is no signal "${name}" (${FEATURE_NAMES.join(', ')})`);
    process.exit(1);
  }
const USED = FEATURE_NAMES.filter((n) => !leftOut.has(n));
const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const knowledge = await loadKnowledge(root('knowledge'));
const retriever = new Retriever(knowledge);
/** Questions written as the held-out sets are, to be studied: the threshold is chosen on them. */
const study = await loadQuestionSet(root('test/quality/study.yaml'));
const sets: [string, QuestionSet][] = [
  ['suite', await loadQuestionSet(root('test/quality/questions.yaml'))],
  ['dev', splitSet(await loadQuestionSet(root('test/quality/blind.yaml')), 'dev')],
];

// The threshold is chosen on questions written exactly as the held-out sets are (blind writers
// working from the facts files, labelled from the entries), which the trees never learn from: the
// study sets and the blind dev half. Issue #11 is done when a set of questions meets three
// targets at once (90 % right, 95 % of out-of-scope questions declined, 3 % or fewer wrong
// entries), and the held-out sets are about 100 questions each; so the threshold is the one under
// which a set of 72 in-scope and 28 out-of-scope questions drawn from these most often meets all
// three (3,000 draws, the same for every threshold, from a fixed seed). Among thresholds tied on
// that, the fewest failures (an in-scope question not answered right, an out-of-scope question
// answered, and a wrong entry once more, the worst outcome); then the middle of a tied run. The
// suite must keep 90 % or more right with every out-of-scope question declined. (Until round 9 it
// was the fewest failures alone, which sat at 0.06 to 0.12, missing the declines target by 3 to 4
// points. Rules on the pooled figures, tried in round 9 (the worst-missed target, or the total
// shortfall), were unstable: the pooled figures are nearly flat from 0.26 to 0.66, and questions
// resampled moved their choice across that whole range. Chosen on the training writers'
// questions instead, held out by fold, the threshold comes out far higher: their out-of-scope
// questions are easier to tell apart.)
const calibration: QuestionSet = {
  inScope: [...study.inScope, ...(sets[1]?.[1].inScope ?? [])],
  outOfScope: [...study.outOfScope, ...(sets[1]?.[1].outOfScope ?? [])],
};
const pct = (n: number) => `${(n * 100).toFixed(1)}%`.padStart(6);
const HEADER = `threshold | suite: correct wrong declined | dev: correct wrong declined | study sets and dev: correct wrong declined failures, all three met in drawn sets of ${DRAWS.inScope}+${DRAWS.outOfScope} | writers (held out by fold, retrieval alone): correct wrong declined, and declined with the decline rules in front`;

// `--sweep-only [--model FILE]`: the sweep and its cross-check for a model already fitted (the
// shipped one by default), without fitting anything; quick enough to compare two models' files.
if (process.argv.includes('--sweep-only')) {
  const file = option('--model').join(',') || root('src/retrieval/answer-model.json');
  const fitted = JSON.parse(await readFile(file, 'utf8')) as AnswerModel;
  console.log(`${file} (threshold ${fitted.threshold})\n${HEADER}`);
  sweep(knowledge, (threshold) => ({ ...fitted, threshold }), false);
  process.exit(0);
}

interface Sample {
  set: string;
  x: Features;
  y: 0 | 1;
  inScope: boolean;
  /** An out-of-scope question a decline rule (or the register) answers before retrieval. */
  ruled?: boolean;
}
/** `--rules-first`: out-of-scope questions the rules decide before retrieval are not fitted on. */
const RULES_FIRST = process.argv.includes('--rules-first');
/**
 * A curated decline is decided before retrieval because it is one, word for word; that says
 * nothing about the rules on questions they have not seen, so curated declines do not count.
 */
const undeclined = new WeakMap<Knowledge, Knowledge>();
const ruledOut = (k: Knowledge, q: string) => {
  let bare = undeclined.get(k);
  if (!bare) {
    bare = { ...k, declines: [] };
    undeclined.set(k, bare);
  }
  return prepareQuestion(bare, q).kind !== 'search';
};
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
    samples.push({ set: name, x: r.features, y: 0, inScope: false, ruled: ruledOut(k, q) });
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
    samples.push({
      set: 'declines',
      x: r.features,
      y: 0,
      inScope: false,
      ruled: ruledOut(knowledge, q),
    });
  }
}

// Questions by blind writers (scripts/training/writer-*.yaml), written from the facts and a topic
// list: the wording of real staff, unlike the entries' own examples. Their in-scope questions are
// also examples of their entries, so each writer's questions are scored by a retriever built
// without that writer's examples and declines (cross-fitting by writer). `--except NAME` leaves a
// writer out altogether, to validate on.
const except = new Set(option('--except'));
const trainingDir = root('scripts/training');
const writers = (await readdir(trainingDir))
  .filter((f) => /^writer-.+\.yaml$/.test(f))
  .map((f) => f.replace(/^writer-|\.yaml$/g, ''))
  .filter((name) => !except.has(name));
const writerSets = await Promise.all(
  writers.map((name) => loadQuestionSet(join(trainingDir, `writer-${name}.yaml`))),
);
for (const [k, set] of writerSets.entries()) {
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
  addSamples(`w:${writers[k]}`, set, without, new Retriever(without));
}

/** Writers are held out together in this many folds (writer k in fold k % FOLDS). */
const FOLDS = 4;
/**
 * Which way each signal may move the answer, for `--monotone`: a question its entry covers better,
 * that the intent classifier is surer of, that reads more like the guidance's questions or less
 * like a known gap, is never less likely to be answered, whatever the other signals are (the
 * number of concepts is left free). Unconstrained, the trees learn dips from a few hundred
 * questions (a surer intent lowering confidence by up to 0.35 for some questions). Tried in round
 * 19 and not kept: the writers' questions held out by fold scored the same at every threshold,
 * and the cross-checked drawn-set chance fell (88.1 -> 85.4 %); see the README.
 */
const MONOTONE: Partial<Record<FeatureName, 1 | -1>> = {
  coverage: 1,
  exampleCoverage: 1,
  knownShare: 1,
  margin: 1,
  agree: 1,
  entryAgree: 1,
  focusCoverage: 1,
  remit: 1,
  intent: 1,
  intentAgree: 1,
  entryRemit: 1,
  notGap: 1,
  detailMissing: -1,
  uncovered: -1,
};
/** The trees' settings, compared on the writers' questions held out by fold. */
const TREES: BoostOptions<FeatureName> = {
  rounds: 150,
  rate: 0.1,
  depth: 3,
  minLeaf: 50,
  ...(process.argv.includes('--monotone') ? { monotone: MONOTONE } : {}),
};

/** `--bag K`: K fits, each on a seeded 80 % of the samples, their log-odds averaged. */
const BAG = Number(option('--bag')[0] ?? 1);

/** `--dev-weight K`: the blind dev half's questions count K times in the fit. */
const DEV_WEIGHT = Number(option('--dev-weight')[0] ?? 1);

function fitTrees(all: Sample[], names: readonly FeatureName[] = USED): AnswerModel {
  const kept = RULES_FIRST ? all.filter((d) => !d.ruled) : all;
  const data =
    DEV_WEIGHT > 1
      ? kept.flatMap((d) => (d.set === 'dev' ? Array.from({ length: DEV_WEIGHT }, () => d) : [d]))
      : kept;
  const x = data.map((d) => d.x);
  const y = data.map((d) => d.y);
  const fitted =
    BAG > 1
      ? bagged(names, x, y, TREES, { k: BAG, sample: 0.8, seed: 20261203 })
      : boost(names, x, y, TREES);
  return { ...fitted, threshold: 0.5 };
}

// Each writer's questions are judged by trees fitted without that writer's fold (and without any
// of its questions' features), so the threshold is chosen on answers the model has not seen.
const outOfFold = new Map<Sample, number>();
for (let fold = 0; fold < FOLDS; fold++) {
  const held = new Set(writers.filter((_, k) => k % FOLDS === fold).map((w) => `w:${w}`));
  const model = fitTrees(samples.filter((d) => !held.has(d.set)));
  for (const d of samples) if (held.has(d.set)) outOfFold.set(d, probability(model, d.x));
}

/**
 * The writers' questions (retrieval alone, held out by fold) at a threshold: correct and wrong
 * answers as shares of the in-scope questions, and the share of out-of-scope questions declined.
 */
function writerFigures(t: number) {
  const inScope = writerSets.reduce((n, s) => n + s.inScope.length, 0) || 1;
  const out = writerSets.reduce((n, s) => n + s.outOfScope.length, 0) || 1;
  const answered = [...outOfFold].filter(([, p]) => p >= t).map(([d]) => d);
  return {
    correct: answered.filter((d) => d.inScope && d.y).length / inScope,
    wrong: answered.filter((d) => d.inScope && !d.y).length / inScope,
    declined: 1 - answered.filter((d) => !d.inScope).length / out,
    /** Declined with the rules in front: an out-of-scope question they catch counts as declined. */
    declinedWithRules: 1 - answered.filter((d) => !d.inScope && !d.ruled).length / out,
  };
}

const model = fitTrees(samples);
console.log(
  `Samples: ${samples.length} (${samples.filter((s) => s.y).length} with the right top entry; ${samples.filter((s) => s.set === 'declines').length} curated declines, cross-fitted); ${TREES.rounds} trees of depth ${TREES.depth}`,
);
console.log(HEADER);
/**
 * Sweeps the thresholds for the model `at(t)` gives on knowledge `k`, printing each with what the
 * suite, the dev half, the calibration questions and (given `writers`) the writers' questions
 * give, and returns the chosen one, or undefined when no threshold keeps the suite at its targets.
 */
function sweep(k: Knowledge, at: (t: number) => AnswerModel, writers: boolean): number | undefined {
  const rows: {
    threshold: number;
    suite: EvalReport;
    dev: EvalReport;
    cal: EvalReport;
    failures: number;
    allows: boolean;
  }[] = [];
  for (let t = 0.04; t <= 0.9001; t += 0.02) {
    const threshold = Math.round(t * 100) / 100;
    const r = new Retriever(k, at(threshold));
    const [suite, dev] = sets.map(([, set]) => evaluate(k, set, TODAY, r)) as [
      EvalReport,
      EvalReport,
    ];
    const cal = evaluate(k, calibration, TODAY, r);
    // The suite must keep 90 % or more right with every out-of-scope question declined.
    const allows = suite.top1 >= 0.9 && suite.refusalRecall === 1;
    rows.push({ threshold, suite, dev, cal, failures: failureShare(cal.outcomes), allows });
  }
  const chances = chanceAllMet(rows.map((r) => r.cal.outcomes));
  /** The thresholds the suite allows, with their chance and failures. */
  const allowed: { threshold: number; chance: number; failures: number }[] = [];
  rows.forEach(({ threshold, suite, dev, cal, failures, allows }, i) => {
    const chance = chances[i] ?? 0;
    const w = writers ? writerFigures(threshold) : undefined;
    console.log(
      `${threshold.toFixed(2)}      | ${pct(suite.top1)} ${pct(suite.wrongEntry)} ${pct(suite.refusalRecall)}  | ${pct(dev.top1)} ${pct(dev.wrongEntry)} ${pct(dev.refusalRecall)} | ${pct(cal.top1)} ${pct(cal.wrongEntry)} ${pct(cal.refusalRecall)} ${pct(failures)} ${pct(chance)} | ${w ? `${pct(w.correct)} ${pct(w.wrong)} ${pct(w.declined)} ${pct(w.declinedWithRules)}` : '-'}`,
    );
    if (allows) allowed.push({ threshold, chance, failures });
  });
  const check = crossChecked(
    rows.map((r) => ({
      threshold: r.threshold,
      outcomes: r.cal.outcomes,
      allowed: r.allows,
    })),
  );
  const [a, b] = check.halves;
  console.log(
    `Cross-checked (chosen on half the study and dev questions, judged on the other half): ${a?.chosen} on the first half -> ${pct(a?.judged ?? 0)} on the second; ${b?.chosen} on the second -> ${pct(b?.judged ?? 0)} on the first; mean ${pct(check.chance)}`,
  );
  return chooseThreshold(allowed);
}

const chosen = sweep(knowledge, (threshold) => ({ ...model, threshold }), true);
if (chosen === undefined) {
  console.error('No threshold keeps the suite at its targets; the model file is left as it was.');
  process.exit(1);
}
model.threshold = chosen;
console.log(`Chosen threshold: ${chosen}`);

// Guidance with no curated declines (out-of-scope.yaml) has no remit to measure: trees fitted on
// the same questions without the remit signals decide there, with a threshold chosen the same way
// on the same questions, answered as such guidance would answer them.
const rest = USED.filter((n) => !REMIT_FEATURES.includes(n));
const withoutRemit = fitTrees(samples, rest);
console.log('\nWithout curated declines: trees without the remit signals');
const alone = sweep(
  { ...knowledge, declines: [] },
  (threshold) => ({ ...model, withoutRemit: { ...withoutRemit, threshold } }),
  false,
);
if (alone === undefined) {
  console.error(
    'No threshold keeps the suite at its targets without the remit signals; the model file is left as it was.',
  );
  process.exit(1);
}
withoutRemit.threshold = alone;
model.withoutRemit = withoutRemit;
console.log(`Chosen threshold without curated declines: ${alone}`);

if (!process.argv.includes('--dry-run')) {
  /** A model's fields, one tree a line, indented by `pad`. */
  const fields = (m: AnswerModel, pad: string) => [
    `${pad}"base": ${Math.round(m.base * 1e6) / 1e6},`,
    `${pad}"threshold": ${m.threshold},`,
    `${pad}"trees": [`,
    m.trees.map((t) => `${pad}  ${JSON.stringify(t)}`).join(',\n'),
    `${pad}]`,
  ];
  // The file is data, written whole by this script.
  const body = [
    '{',
    ...fields(model, '  ').with(-1, '  ],'),
    '  "withoutRemit": {',
    ...fields(withoutRemit, '    '),
    '  }',
    '}',
    '',
  ].join('\n');
  const file = option('--out').join(',') || root('src/retrieval/answer-model.json');
  await writeFile(file, body);
  console.log(`Wrote ${file}`);
}
