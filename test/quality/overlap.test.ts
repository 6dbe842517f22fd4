import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import { loadQuestionSet, type QuestionSet, splitSet } from '../../src/quality/eval.js';
import { typedAlike } from '../../src/retrieval/index.js';
import { SHIPPED_KNOWLEDGE } from '../helpers/server.js';

/**
 * Nothing the retriever or the fit learns from may be an evaluation question. Blind writers
 * working from the same facts often write the same short question ("masterton sister cities?"),
 * so a training writer's question, or a set moved into training, can repeat one that is scored.
 * The suite (questions.yaml) and the blind set's dev half are left out: they may be tuned on.
 */
const QUALITY = fileURLToPath(new URL('.', import.meta.url));
const TRAINING = fileURLToPath(new URL('../../scripts/training/', import.meta.url));

/** Case, accents, punctuation and spacing folded: the same question typed the same way. The
 * answer path uses the same folding to answer a curated example question from its entry, so an
 * evaluation question is answered that way only if a greeting or sign-off is all it adds. */
const same = typedAlike;

const texts = (set: QuestionSet) => [...set.inScope, ...set.outOfScope].map((x) => x.q);
const questions = async (file: string) => texts(await loadQuestionSet(file));

let scored: Map<string, string>;
let knowledge: Knowledge;
beforeAll(async () => {
  scored = new Map();
  for (const f of (await readdir(QUALITY)).filter((f) => /\.yaml$/.test(f))) {
    if (f === 'questions.yaml') continue;
    const set = await loadQuestionSet(join(QUALITY, f));
    for (const q of texts(f === 'blind.yaml' ? splitSet(set, 'test') : set)) scored.set(same(q), f);
  }
  knowledge = await loadKnowledge(SHIPPED_KNOWLEDGE);
});

/** The learnt questions among `qs` that an evaluation set also asks, with the set's file. */
const repeats = (qs: readonly string[]) =>
  qs.filter((q) => scored.has(same(q))).map((q) => `${q} (${scored.get(same(q))})`);

describe('evaluation questions', () => {
  it('are read from every held-out, study and blind set', () => {
    expect(new Set(scored.values())).toContain('blind.yaml');
    expect(new Set(scored.values())).toContain('fresh.yaml');
    expect(new Set(scored.values())).toContain('study.yaml');
    expect(scored.size).toBeGreaterThan(4000);
  });

  it('are not among the training writers’ questions', async () => {
    const files = (await readdir(TRAINING)).filter((f) => /^writer-.+\.yaml$/.test(f));
    expect(files.length).toBeGreaterThan(24);
    for (const f of files) expect(repeats(await questions(join(TRAINING, f))), f).toEqual([]);
  });

  it('are not example questions, curated declines or known gaps in the shipped knowledge', () => {
    expect(repeats(knowledge.entries.flatMap((e) => e.questions))).toEqual([]);
    expect(repeats(knowledge.declines ?? [])).toEqual([]);
    expect(repeats(knowledge.uncovered ?? [])).toEqual([]);
  });

  it('are caught typed differently: case, accents and punctuation', () => {
    const q = [...scored.keys()].find((k) => k.includes('a ')) ?? '';
    const typed = `${q.replace('a ', 'Ā, ').toUpperCase()}?!`;
    expect(typed).not.toBe(q);
    expect(repeats([typed])).toHaveLength(1);
    expect(repeats([`${q} and one more word`])).toEqual([]);
  });
});
