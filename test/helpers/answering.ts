import { beforeAll } from 'vitest';
import { type Answer, answerText } from '../../src/answer.js';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import { Retriever } from '../../src/retrieval/index.js';

/**
 * A knowledge folder loaded once for a test file (in `beforeAll`), and `ask`, which answers a
 * question from it through the bot's whole answering path on the day given.
 */
export function answering(dir: string, today: string) {
  const loaded = {} as { knowledge: Knowledge; retriever: Retriever };
  beforeAll(async () => {
    loaded.knowledge = await loadKnowledge(dir);
    loaded.retriever = new Retriever(loaded.knowledge);
  });
  return {
    loaded,
    ask: (q: string): Answer => answerText(loaded.knowledge, loaded.retriever, q, today),
  };
}
