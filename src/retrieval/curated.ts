import type { Knowledge } from '../knowledge/index.js';
import { DECLINE_KINDS, type OutOfScope } from './scope.js';

/**
 * Case, accents, punctuation and spacing folded: the same question typed the same way. Nothing
 * else is folded (no spelling, stemming or synonyms), so "78AAA penalty?" matches "78aaa penalty"
 * and "what's the 78AAA penalty" does not.
 */
export function typedAlike(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const byKnowledge = new WeakMap<Knowledge, Map<string, string[]>>();

/**
 * The entries that list `text` among their example questions, word for word (as `typedAlike`
 * folds it), in the knowledge's order; undefined for any other text. A curator who adds a question
 * staff asked to an entry's examples has said which entry answers it, so that question is
 * answered from that entry whatever the models make of it. Built on the first question, not at
 * start-up (folding about 9,000 examples takes a few milliseconds).
 */
export function curatedOwners(knowledge: Knowledge, text: string): string[] | undefined {
  let owners = byKnowledge.get(knowledge);
  if (!owners) {
    owners = new Map();
    for (const e of knowledge.entries)
      for (const q of e.questions) {
        const key = typedAlike(q);
        if (!key) continue;
        const ids = owners.get(key);
        if (!ids) owners.set(key, [e.id]);
        else if (!ids.includes(e.id)) ids.push(e.id);
      }
    byKnowledge.set(knowledge, owners);
  }
  const key = typedAlike(text);
  return key ? owners.get(key) : undefined;
}

const declinedBy = new WeakMap<Knowledge, Map<string, OutOfScope | 'unrelated'>>();

/**
 * How a curated decline (`out-of-scope.yaml`, any kind but `uncovered`) that `text` is, word for
 * word, is declined: its kind's own reply, or `unrelated` (a plain refusal) for a kind with none.
 * Undefined for any other text. A curator who lists a question there has said it is not to be
 * answered. Known gaps are left to the models: the register may have learnt since what a gap
 * once asked for.
 */
export function curatedDecline(
  knowledge: Knowledge,
  text: string,
): OutOfScope | 'unrelated' | undefined {
  let kinds = declinedBy.get(knowledge);
  if (!kinds) {
    kinds = new Map();
    for (const q of knowledge.declines ?? []) {
      const key = typedAlike(q);
      const kind = knowledge.declineKinds?.get(q);
      if (key && !kinds.has(key))
        kinds.set(
          key,
          kind && (DECLINE_KINDS as readonly string[]).includes(kind)
            ? (kind as OutOfScope)
            : 'unrelated',
        );
    }
    declinedBy.set(knowledge, kinds);
  }
  const key = typedAlike(text);
  return key ? kinds.get(key) : undefined;
}
