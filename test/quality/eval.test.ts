import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildKnowledge,
  isPrimarySource,
  type Knowledge,
  loadKnowledge,
  reviewKnowledge,
} from '../../src/knowledge/index.js';
import { evaluate, formatReport } from '../../src/quality/eval.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

let k: Knowledge;
beforeAll(async () => {
  k = await loadKnowledge(FIXTURE_KNOWLEDGE);
});

describe('evaluate', () => {
  it('computes top-1, top-3 and refusal precision and recall', () => {
    const report = evaluate(
      k,
      {
        inScope: [
          { q: 'what counts as foreign interference', expect: ['fi-definition'] },
          { q: 'can I take my laptop overseas', expect: ['gifts-koha'] }, // deliberately wrong expectation
          { q: 'when did Invercargill twin with Kumagaya', expect: ['register:invercargill'] },
          { q: 'recipe for pavlova', expect: ['fi-definition'] }, // refused: counts against precision
        ],
        outOfScope: [
          { q: 'is councillor Smith a spy', kind: 'person' },
          { q: 'koha', kind: 'unrelated' }, // answered: a failure the report must show
        ],
      },
      '2026-11-27',
    );
    expect(report.top1).toBe(0.5);
    expect(report.refusalRecall).toBe(0.5);
    expect(report.refusalPrecision).toBe(0.5);
    expect(report.outOfScopeAnswered).toEqual([
      { q: 'koha', expected: 'unrelated', got: 'gifts-koha' },
    ]);
    expect(report.misses.map((m) => m.got)).toEqual(['travel-devices', 'no-guidance']);
    expect(formatReport(report)).toContain('Top-1 accuracy:    50.0%');
  });
});

describe('knowledge review', () => {
  it('tells primary sources from news and copies by host, with an override', () => {
    expect(isPrimarySource({ url: 'https://www.nzsis.govt.nz/x' })).toBe(true);
    expect(isPrimarySource({ url: 'https://www.homeaffairs.gov.au/x' })).toBe(true);
    expect(isPrimarySource({ url: 'https://amp.rnz.co.nz/x' })).toBe(false);
    expect(isPrimarySource({ url: 'https://globalcities.org.nz', primary: true })).toBe(true);
  });

  it('reports missing primary sources, due dates and duplicated questions', () => {
    const e = k.byId.get('safetravel')!;
    const dup = {
      ...k.byId.get('gifts-koha')!,
      id: 'gifts-copy',
      questions: [e.questions[0]!.toUpperCase()],
      reviewBy: '2026-12-10',
    };
    const r = reviewKnowledge(buildKnowledge([...k.entries, dup]), '2026-11-27');
    expect(r.noPrimarySource).toHaveLength(7); // fixtures cite example.org
    expect(r.dueSoon.map((x) => x.id)).toEqual(['gifts-copy']);
    expect(r.overdue).toEqual([]);
    expect(r.duplicateQuestions).toEqual([
      { question: e.questions[0], entries: ['safetravel', 'gifts-copy'] },
    ]);
  });
});
