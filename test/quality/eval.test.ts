import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildKnowledge,
  isPrimarySource,
  type Knowledge,
  loadKnowledge,
  reviewKnowledge,
} from '../../src/knowledge/index.js';
import { evaluate, formatReport, formatTable } from '../../src/quality/eval.js';
import { DEFAULT_MODEL, withThreshold } from '../../src/retrieval/answerability.js';
import { Retriever } from '../../src/retrieval/index.js';
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

describe('refusals that still suggest the right entry', () => {
  const set = {
    inScope: [
      { q: 'what counts as foreign interference', expect: ['fi-definition'] },
      { q: 'can I take my laptop overseas', expect: ['gifts-koha'] }, // suggests another entry
      { q: 'recipe for pavlova', expect: ['fi-definition'] }, // too weak to suggest anything
    ],
    outOfScope: [],
  };

  it('counts a refusal whose closest guidance is an expected entry, and only that', () => {
    // A threshold nothing reaches: every question is refused, with its closest entry if any.
    const strict = new Retriever(k, withThreshold(DEFAULT_MODEL, 0.999));
    const report = evaluate(k, set, '2026-11-27', strict);
    expect(report.top1).toBe(0);
    expect(report.refusedRightSuggested).toBeCloseTo(1 / 3);
    expect(formatReport(report)).toMatch(/Refused, right entry suggested: 33\.3%/);
    expect(formatTable([{ name: 'strict', report }])).toMatch(
      /\| strict \| 3 \| 0 \| 0\.0% .* \| 33\.3% \|$/m,
    );
  });

  it('does not count an answered question', () => {
    const report = evaluate(k, set, '2026-11-27');
    expect(report.top1).toBeGreaterThan(0);
    expect(report.refusedRightSuggested).toBe(0);
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
    expect(r.contradictions).toEqual([]);
  });

  it('reports a curated decline or known gap that is also an example question', () => {
    const e = k.byId.get('safetravel')!;
    const decline = `${e.questions[0]!.toLowerCase()}!`;
    const gap = e.questions[1]!;
    const r = reviewKnowledge(
      { ...k, declines: [decline, 'what is the weather in Beijing?'], uncovered: [gap] },
      '2026-11-27',
    );
    expect(r.contradictions).toEqual([
      { question: decline, listedAs: 'decline', entries: ['safetravel'] },
      { question: gap, listedAs: 'known gap', entries: ['safetravel'] },
    ]);
  });
});
