/**
 * Cross-fitted example questions: each entry's example questions are split into folds by a fixed
 * rule (index % folds), and each fold is scored by a retriever built without it. Its examples are
 * gone from every entry (so the keyword indexes, the intent classifier and the remit model never
 * saw them), and so are its curated declines. To that retriever they look like questions nobody
 * wrote an example for, with a known right answer: their own entry.
 */
import { prepareQuestion } from '../src/answer.js';
import type { Knowledge } from '../src/knowledge/index.js';
import { Retriever } from '../src/retrieval/index.js';

/** One held-out example question, ready for retrieval. */
export interface HeldOut {
  /** The question as retrieval sees it (after greetings and noise are stripped). */
  question: string;
  /** The entry it was written for. */
  entry: string;
}

/** One fold: a retriever that never saw the fold, and the fold's example questions. */
export interface Fold {
  retriever: Retriever;
  examples: HeldOut[];
  /** The fold's curated declines (knowledge/out-of-scope.yaml), as written. */
  declines: string[];
}

/** The folds of the guidance's example questions, each with its own retriever. */
export function* crossFitted(knowledge: Knowledge, folds = 5): Generator<Fold> {
  const declines = knowledge.declines ?? [];
  for (let fold = 0; fold < folds; fold++) {
    const entries = knowledge.entries.map((e) => ({
      ...e,
      questions: e.questions.filter((_, i) => i % folds !== fold),
    }));
    const retriever = new Retriever({
      ...knowledge,
      entries,
      byId: new Map(entries.map((e) => [e.id, e])),
      declines: declines.filter((_, i) => i % folds !== fold),
    });
    const examples: HeldOut[] = [];
    for (const e of knowledge.entries) {
      e.questions.forEach((q, i) => {
        if (i % folds !== fold) return;
        // Only questions that reach retrieval: small talk, declined kinds and register answers
        // are decided before it.
        const prepared = prepareQuestion(knowledge, q);
        if (prepared.kind === 'search') examples.push({ question: prepared.question, entry: e.id });
      });
    }
    yield { retriever, examples, declines: declines.filter((_, i) => i % folds === fold) };
  }
}
