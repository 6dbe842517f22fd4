import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { answerText } from '../answer.js';
import { DECLINE_EXAMPLE_KINDS } from '../knowledge/declines.js';
import type { Knowledge } from '../knowledge/index.js';
import { parseYamlText } from '../knowledge/problems.js';
import type { Reply } from '../model.js';
import { Actions } from '../replies.js';
import { Retriever } from '../retrieval/index.js';

/** Out-of-scope questions are labelled with the same kinds as the curated declines. */
const OUT_KINDS = DECLINE_EXAMPLE_KINDS;

const QuestionId = z.string().regex(/^[A-Z]+\d+$/, 'must look like B001');

/**
 * A question set: `test/quality/questions.yaml` (the suite), `blind.yaml` and `fresh.yaml`.
 * The blind sets give each question an id; the id's number decides its half (see `half`).
 */
export const QuestionSetSchema = z.strictObject({
  inScope: z
    .array(
      z.strictObject({
        id: QuestionId.optional(),
        q: z.string().min(2),
        expect: z.array(z.string().min(2)).min(1).max(4),
      }),
    )
    .min(1),
  outOfScope: z
    .array(
      z.strictObject({ id: QuestionId.optional(), q: z.string().min(2), kind: z.enum(OUT_KINDS) }),
    )
    .min(1),
});
export type QuestionSet = z.infer<typeof QuestionSetSchema>;

/** Reads and validates a question set. */
export async function loadQuestionSet(path: string): Promise<QuestionSet> {
  return QuestionSetSchema.parse(parseYamlText(await readFile(path, 'utf8')));
}

/**
 * The fixed rule that splits a blind set: odd-numbered questions are the dev half, which may be
 * studied; even-numbered ones are the test half, which is only ever scored.
 */
export function half(id: string | undefined): 'dev' | 'test' {
  const n = Number(id?.replace(/^\D+/, ''));
  if (!Number.isInteger(n)) throw new Error(`question id "${id}" has no number to split on`);
  return n % 2 === 1 ? 'dev' : 'test';
}

/** The questions of one half of a blind set. */
export function splitSet(set: QuestionSet, which: 'dev' | 'test'): QuestionSet {
  return {
    inScope: set.inScope.filter((q) => half(q.id) === which),
    outOfScope: set.outOfScope.filter((q) => half(q.id) === which),
  };
}

/** One question the bot got wrong. */
export interface Miss {
  q: string;
  expected: string;
  got: string;
}

/** Evaluation figures. Rates are 0-1. */
export interface EvalReport {
  inScope: number;
  outOfScope: number;
  /** In-scope questions whose first answer is an expected entry and carries a source. */
  top1: number;
  /** In-scope questions with an expected entry among the first three ranked. */
  top3: number;
  /** In-scope questions answered with an entry that was not expected: the worst outcome. */
  wrongEntry: number;
  /**
   * In-scope questions refused ("no guidance") whose reply still offers an expected entry as
   * the closest guidance: one tap from the answer, though not counted as correct.
   */
  refusedRightSuggested: number;
  /** Of the questions the bot refused or declined, the share that really were out of scope. */
  refusalPrecision: number;
  /** Of the out-of-scope questions, the share the bot refused or declined. */
  refusalRecall: number;
  /** Out-of-scope questions that got a guidance answer. */
  outOfScopeAnswered: Miss[];
  /**
   * Each question's outcome, in the set's order: an in-scope question answered right (with a
   * source), with a wrong entry, or not answered; an out-of-scope question answered or not.
   */
  outcomes: { inScope: ('right' | 'wrong' | 'unanswered')[]; outOfScopeAnswered: boolean[] };
  /** Answers that carried no source: must be zero. */
  unsourced: string[];
  misses: Miss[];
}

/** The label an answer id scores as: `register:not-listed:kaikoura` is `register:not-listed`. */
function labelOf(id: string | undefined): string {
  return id?.startsWith('register:not-listed:') ? 'register:not-listed' : (id ?? '');
}

/**
 * True when a reply listing ties across the register names a council the question expects, and
 * the question expects two or more councils: a question answered from many records ("which
 * councils have a sister city in the US?") is labelled with a few of them (at most four), and a
 * listing of all of them answers it whichever comes first.
 */
function listsExpected(reply: Reply, expect: readonly string[]): boolean {
  const councils = expect.filter(
    (id) => id.startsWith('register:') && id !== 'register:not-listed',
  );
  return councils.length >= 2 && (reply.covers ?? []).some((id) => councils.includes(id));
}

/** True when a reply offers the entry `id` as a button (a refusal's closest guidance). */
function suggests(reply: Reply, id: string): boolean {
  return reply.blocks.some(
    (b) =>
      b.type === 'buttons' && b.buttons.some((x) => x.id === Actions.showEntry && x.value === id),
  );
}

/** Runs every question through the same answering path as the bot and scores it. */
export function evaluate(
  knowledge: Knowledge,
  set: QuestionSet,
  today: string,
  retriever = new Retriever(knowledge),
): EvalReport {
  let top1 = 0;
  let top3 = 0;
  let wrong = 0;
  let refusedIn = 0;
  let refusedOut = 0;
  let suggested = 0;
  const misses: Miss[] = [];
  const outOfScopeAnswered: Miss[] = [];
  const outcomes: EvalReport['outcomes'] = { inScope: [], outOfScopeAnswered: [] };
  const unsourced: string[] = [];
  const hasSource = (a: ReturnType<typeof answerText>) =>
    a.reply.blocks.some((b) => b.type === 'sources' && b.sources.length > 0);

  for (const { q, expect } of set.inScope) {
    const a = answerText(knowledge, retriever, q, today);
    const got = a.answered
      ? (a.reply.entryId ?? '?')
      : a.declined
        ? `declined:${a.declined}`
        : 'no-guidance';
    if (a.answered && !hasSource(a)) unsourced.push(q);
    if (!a.answered) refusedIn++;
    const right =
      a.answered && (expect.includes(labelOf(a.reply.entryId)) || listsExpected(a.reply, expect));
    const outcome = right && hasSource(a) ? 'right' : a.answered && !right ? 'wrong' : 'unanswered';
    outcomes.inScope.push(outcome);
    if (outcome === 'right') top1++;
    else misses.push({ q, expected: expect.join(' | '), got });
    if (outcome === 'wrong') wrong++;
    if (a.ranked.slice(0, 3).some((id) => expect.includes(labelOf(id)))) top3++;
    if (a.reply.kind === 'no-guidance' && expect.some((id) => suggests(a.reply, id))) suggested++;
  }
  for (const { q, kind } of set.outOfScope) {
    const a = answerText(knowledge, retriever, q, today);
    if (a.answered) outOfScopeAnswered.push({ q, expected: kind, got: a.reply.entryId ?? '?' });
    else refusedOut++;
    outcomes.outOfScopeAnswered.push(a.answered);
  }
  const refused = refusedIn + refusedOut;
  const rate = (n: number, of: number) => (of === 0 ? 1 : n / of);
  return {
    inScope: set.inScope.length,
    outOfScope: set.outOfScope.length,
    top1: rate(top1, set.inScope.length),
    top3: rate(top3, set.inScope.length),
    wrongEntry: set.inScope.length === 0 ? 0 : wrong / set.inScope.length,
    refusedRightSuggested: set.inScope.length === 0 ? 0 : suggested / set.inScope.length,
    refusalPrecision: rate(refusedOut, refused),
    refusalRecall: rate(refusedOut, set.outOfScope.length),
    outOfScopeAnswered,
    outcomes,
    unsourced,
    misses,
  };
}

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

/** Formats a report for a person. */
export function formatReport(r: EvalReport): string {
  const lines = [
    `Questions: ${r.inScope} in scope, ${r.outOfScope} out of scope`,
    `Top-1 accuracy:    ${pct(r.top1)}`,
    `Top-3 accuracy:    ${pct(r.top3)}`,
    `Wrong entry:       ${pct(r.wrongEntry)}`,
    `Refused, right entry suggested: ${pct(r.refusedRightSuggested)}`,
    `Refusal precision: ${pct(r.refusalPrecision)}`,
    `Refusal recall:    ${pct(r.refusalRecall)}`,
  ];
  if (r.outOfScopeAnswered.length) {
    lines.push(
      '',
      `Out-of-scope questions that got a guidance answer (${r.outOfScopeAnswered.length}):`,
    );
    for (const m of r.outOfScopeAnswered) lines.push(`  - [${m.expected}] "${m.q}" -> ${m.got}`);
  }
  if (r.unsourced.length) lines.push('', `Answers without a source: ${r.unsourced.join('; ')}`);
  lines.push('', r.misses.length ? `Misses (${r.misses.length}):` : 'Misses: none');
  for (const m of r.misses) lines.push(`  - "${m.q}": expected ${m.expected}, got ${m.got}`);
  return lines.join('\n');
}

/** A named set of questions to score, and whether its misses may be shown. */
export interface NamedSet {
  name: string;
  set: QuestionSet;
  /** False for held-out sets: their figures are reported, their questions never shown. */
  study: boolean;
}

/** The question sets `npm run eval` reports side by side, from the `test/quality` folder. */
export async function loadStandardSets(dir: string): Promise<NamedSet[]> {
  const suite = await loadQuestionSet(`${dir}/questions.yaml`);
  const blind = await loadQuestionSet(`${dir}/blind.yaml`);
  const study = await loadQuestionSet(`${dir}/study.yaml`);
  const heldOut = await Promise.all(
    HELD_OUT.map(async ([name, file]) => ({
      name,
      set: await loadQuestionSet(`${dir}/${file}`),
      study: false,
    })),
  );
  return [
    { name: 'suite', set: suite, study: true },
    { name: 'blind dev', set: splitSet(blind, 'dev'), study: true },
    { name: 'study 2000', set: study, study: true },
    { name: 'blind test', set: splitSet(blind, 'test'), study: false },
    ...heldOut,
  ];
}

/**
 * The final sets still held out (test/quality/finalN.yaml), in the order they were written.
 * In round 11 the odd-numbered sets up to final57, and in round 13 those from final59 to final69,
 * became training data (scripts/training/writer-finalN.yaml), as did the odd-numbered sets written
 * in round 13 (final71 to final93); the even-numbered ones up to final80, and final82 and final84
 * (round 14), final86 to final92 (round 15), final94 and final96 (round 16), final98 and
 * final100 (round 17), final102 to final108 (round 18), final110 to final116 (round 19), final118 and final120 (round 20), final122 and final124 (round 23) and final126 and final128 (round 25), are held out, except final22 to final40, which became study sets in round
 * 17 (test/quality/study.yaml).
 */
const FINAL_SETS = [
  ...Array.from({ length: 10 }, (_, i) => 2 * i + 2),
  ...Array.from({ length: 44 }, (_, i) => 2 * i + 42),
];

/** The held-out sets after the blind test half, in the order they were written: name and file. */
const HELD_OUT: [string, string][] = [
  ['fresh 100', 'fresh.yaml'],
  ...FINAL_SETS.map((n): [string, string] => [`final${n} 100`, `final${n}.yaml`]),
];

/** Every set `npm run eval` reports, by name, in order. */
export const STANDARD_SET_NAMES = [
  'suite',
  'blind dev',
  'study 2000',
  'blind test',
  ...HELD_OUT.map(([n]) => n),
];

/** The figures a README table row holds, in percent with one decimal. */
export interface Figures {
  correct: number;
  top3: number;
  declined: number;
  wrong: number;
}

export function figures(r: EvalReport): Figures {
  const p = (n: number) => Math.round(n * 1000) / 10;
  return {
    correct: p(r.top1),
    top3: p(r.top3),
    declined: p(r.refusalRecall),
    wrong: p(r.wrongEntry),
  };
}

/** A Markdown table of several reports side by side, as the README shows it. */
export function formatTable(rows: { name: string; report: EvalReport }[]): string {
  const lines = [
    '| Set | In scope | Out of scope | Correct first answer, with a source | Top 3 | Out of scope declined | Wrong entry | Refused, right entry suggested |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const { name, report: r } of rows) {
    const f = figures(r);
    lines.push(
      `| ${name} | ${r.inScope} | ${r.outOfScope} | ${f.correct.toFixed(1)}% | ${f.top3.toFixed(1)}% | ${f.declined.toFixed(1)}% | ${f.wrong.toFixed(1)}% | ${pct(r.refusedRightSuggested)} |`,
    );
  }
  return lines.join('\n');
}

/** Reads the README's quality table back (between the `quality-figures` markers). */
export function parseTable(markdown: string): Map<string, Figures> {
  const start = markdown.indexOf('<!-- quality-figures:start -->');
  const end = markdown.indexOf('<!-- quality-figures:end -->');
  const out = new Map<string, Figures>();
  if (start < 0 || end < start) return out;
  for (const line of markdown.slice(start, end).split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const nums = cells.slice(4, 8).map((c) => Number.parseFloat(c));
    if (cells.length < 9 || nums.some((n) => Number.isNaN(n))) continue;
    const [correct = 0, top3 = 0, declined = 0, wrong = 0] = nums;
    out.set(cells[1] ?? '', { correct, top3, declined, wrong });
  }
  return out;
}
