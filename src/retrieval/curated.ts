import type { Knowledge } from '../knowledge/index.js';

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
