import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Knowledge, loadKnowledge, registerId } from '../../src/knowledge/index.js';
import {
  type EvalReport,
  evaluate,
  formatReport,
  loadQuestionSet,
  type QuestionSet,
} from '../../src/quality/eval.js';
import { SHIPPED_KNOWLEDGE } from '../helpers/server.js';

const QUESTIONS = fileURLToPath(new URL('./questions.yaml', import.meta.url));

let knowledge: Knowledge;
let set: QuestionSet;
let report: EvalReport;
beforeAll(async () => {
  knowledge = await loadKnowledge(SHIPPED_KNOWLEDGE);
  set = await loadQuestionSet(QUESTIONS);
  report = evaluate(knowledge, set, '2026-11-27');
  // The figures are printed so CI logs show them next to the verdict.
  console.log(formatReport(report));
});

describe('the answer-quality question set', () => {
  it('is large and varied enough to mean something', () => {
    expect(set.inScope.length).toBeGreaterThanOrEqual(120);
    expect(set.outOfScope.length).toBeGreaterThanOrEqual(30);
  });

  it('only expects entries and register answers that exist', () => {
    const known = new Set([
      ...knowledge.byId.keys(),
      ...(knowledge.register?.councils.map(registerId) ?? []),
    ]);
    const unknown = set.inScope.flatMap((q) => q.expect.filter((id) => !known.has(id)));
    expect(unknown).toEqual([]);
  });

  it('asks about every guidance entry at least once', () => {
    const asked = new Set(set.inScope.flatMap((q) => q.expect));
    expect(knowledge.entries.map((e) => e.id).filter((id) => !asked.has(id))).toEqual([]);
  });
});

describe('answer quality on the shipped knowledge', () => {
  it('gets at least 90% of in-scope questions right first time', () => {
    expect(report.top1).toBeGreaterThanOrEqual(0.9);
  });

  it('never answers an out-of-scope question with guidance', () => {
    expect(report.outOfScopeAnswered).toEqual([]);
  });

  it('gives at least one source with every answer', () => {
    expect(report.unsourced).toEqual([]);
  });
});
