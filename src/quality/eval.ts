import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { answerText } from '../answer.js';
import type { Knowledge } from '../knowledge/index.js';
import { parseYamlText } from '../knowledge/problems.js';
import { Retriever } from '../retrieval/index.js';

const OUT_KINDS = [
  'person',
  'legal',
  'political',
  'emergency',
  'evasion',
  'personal-data',
  'unrelated',
] as const;

/** The answer-quality question set, `test/quality/questions.yaml`. */
export const QuestionSetSchema = z.strictObject({
  inScope: z
    .array(
      z.strictObject({ q: z.string().min(2), expect: z.array(z.string().min(2)).min(1).max(3) }),
    )
    .min(1),
  outOfScope: z.array(z.strictObject({ q: z.string().min(2), kind: z.enum(OUT_KINDS) })).min(1),
});
export type QuestionSet = z.infer<typeof QuestionSetSchema>;

/** Reads and validates a question set. */
export async function loadQuestionSet(path: string): Promise<QuestionSet> {
  return QuestionSetSchema.parse(parseYamlText(await readFile(path, 'utf8')));
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
  top1: number;
  top3: number;
  /** Of the questions the bot refused or declined, the share that really were out of scope. */
  refusalPrecision: number;
  /** Of the out-of-scope questions, the share the bot refused or declined. */
  refusalRecall: number;
  /** Out-of-scope questions that got a guidance answer: must be zero. */
  outOfScopeAnswered: Miss[];
  /** Answers that carried no source: must be zero. */
  unsourced: string[];
  misses: Miss[];
}

/** Runs every question through the same answering path as the bot and scores it. */
export function evaluate(knowledge: Knowledge, set: QuestionSet, today: string): EvalReport {
  const retriever = new Retriever(knowledge);
  let top1 = 0;
  let top3 = 0;
  let refusedIn = 0;
  let refusedOut = 0;
  const misses: Miss[] = [];
  const outOfScopeAnswered: Miss[] = [];
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
    if (a.answered && expect.includes(a.reply.entryId ?? '')) top1++;
    else misses.push({ q, expected: expect.join(' | '), got });
    if (a.ranked.slice(0, 3).some((id) => expect.includes(id))) top3++;
  }
  for (const { q, kind } of set.outOfScope) {
    const a = answerText(knowledge, retriever, q, today);
    if (a.answered) outOfScopeAnswered.push({ q, expected: kind, got: a.reply.entryId ?? '?' });
    else refusedOut++;
  }
  const refused = refusedIn + refusedOut;
  return {
    inScope: set.inScope.length,
    outOfScope: set.outOfScope.length,
    top1: top1 / set.inScope.length,
    top3: top3 / set.inScope.length,
    refusalPrecision: refused === 0 ? 1 : refusedOut / refused,
    refusalRecall: refusedOut / set.outOfScope.length,
    outOfScopeAnswered,
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
