import { beforeAll, describe, expect, it } from 'vitest';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import { checkAnswer } from '../../src/llm/index.js';
import { sourceCorpus } from '../../src/llm/prompt.js';
import { SHIPPED_KNOWLEDGE } from '../helpers/server.js';

let knowledge: Knowledge;
beforeAll(async () => {
  knowledge = await loadKnowledge(SHIPPED_KNOWLEDGE);
});

/** An answer that repeats an entry word for word, each paragraph cited. */
const verbatim = (answer: string, n: number) =>
  answer
    .split(/\n\n/)
    .map((p) => `${p} [${n}]`)
    .join('\n\n');

describe('the grounding check on the shipped knowledge', () => {
  it("accepts every entry's own text, so it does not reject faithful answers", () => {
    const rejected = knowledge.entries.flatMap((e) => {
      const r = checkAnswer(verbatim(e.answer, 1), [e]);
      return r.ok ? [] : [`${e.id}: ${r.detail}`];
    });
    expect(rejected).toEqual([]);
  });

  it("rejects an entry's figures when they are cited against an entry that lacks them", () => {
    let pairs = 0;
    for (const e of knowledge.entries) {
      const figure = /\$?\d[\d,]{3,}/.exec(e.answer)?.[0];
      const other = knowledge.entries.find((o) => figure && !sourceCorpus([o]).includes(figure));
      if (!figure || !other) continue;
      pairs += 1;
      expect(checkAnswer(`As the guidance says, ${figure} [1].`, [other]).ok, e.id).toBe(false);
    }
    expect(pairs).toBeGreaterThan(5);
  });
});
