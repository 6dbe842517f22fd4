import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Knowledge, loadKnowledge, registerId } from '../../src/knowledge/index.js';
import {
  type EvalReport,
  evaluate,
  figures,
  formatTable,
  half,
  loadStandardSets,
  type NamedSet,
  parseTable,
  STANDARD_SET_NAMES,
} from '../../src/quality/eval.js';
import { Retriever } from '../../src/retrieval/index.js';
import { SHIPPED_KNOWLEDGE } from '../helpers/server.js';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
/** How far a figure may fall below the README's before this test fails, in points. */
const SLACK = 3;

let knowledge: Knowledge;
let sets: NamedSet[];
const reports = new Map<string, EvalReport>();
beforeAll(async () => {
  knowledge = await loadKnowledge(SHIPPED_KNOWLEDGE);
  sets = await loadStandardSets(DIR);
  const retriever = new Retriever(knowledge);
  for (const { name, set } of sets)
    reports.set(name, evaluate(knowledge, set, '2026-11-27', retriever));
  console.log(formatTable([...reports].map(([name, report]) => ({ name, report }))));
});

describe('the blind and fresh question sets', () => {
  it('are all reported, under the names the README uses', () => {
    expect(sets.map((s) => s.name)).toEqual(STANDARD_SET_NAMES);
  });

  it('are the size the issue asks for, with ids that are unique and split by parity', () => {
    const blind = sets.filter((s) => s.name.startsWith('blind'));
    const all = blind.flatMap((s) => [...s.set.inScope, ...s.set.outOfScope]);
    expect(all.length).toBeGreaterThanOrEqual(250);
    expect(blind.reduce((n, s) => n + s.set.outOfScope.length, 0)).toBeGreaterThanOrEqual(60);
    expect(new Set(all.map((q) => q.id)).size).toBe(all.length);
    for (const s of blind)
      for (const q of [...s.set.inScope, ...s.set.outOfScope])
        expect(half(q.id)).toBe(s.name === 'blind dev' ? 'dev' : 'test');
    for (const name of ['fresh 100', 'final42 100']) {
      const fresh = sets.find((s) => s.name === name)?.set;
      expect((fresh?.inScope.length ?? 0) + (fresh?.outOfScope.length ?? 0)).toBe(100);
    }
  });

  it('only expect entries and register answers that exist', () => {
    const known = new Set([
      ...knowledge.byId.keys(),
      ...(knowledge.register?.councils.map(registerId) ?? []),
      'register:not-listed',
    ]);
    const unknown = sets.flatMap((s) =>
      s.set.inScope.flatMap((q) => q.expect.filter((id) => !known.has(id))),
    );
    expect(unknown).toEqual([]);
  });
});

describe('answer quality has not fallen below the README figures', () => {
  it.each(STANDARD_SET_NAMES)('%s', async (name) => {
    const published = parseTable(await readFile(README, 'utf8')).get(name);
    expect(published, `README has no quality row for "${name}"`).toBeDefined();
    const now = figures(reports.get(name) as EvalReport);
    expect(now.correct).toBeGreaterThanOrEqual((published?.correct ?? 0) - SLACK);
    expect(now.declined).toBeGreaterThanOrEqual((published?.declined ?? 0) - SLACK);
    expect(now.wrong).toBeLessThanOrEqual((published?.wrong ?? 100) + SLACK);
  });
});
