import type { Entry } from '../knowledge/index.js';
import type { Block, Source } from '../model.js';

/** The label every LLM answer carries, so nobody mistakes it for the curated text. */
export const AI_ASSISTED_NOTICE =
  'AI-assisted answer, written only from the guidance listed below. Check the sources before relying on it.';

/** The oldest review date among the cited entries: the answer is only as fresh as that. */
function oldestReview(entries: Entry[]): string | undefined {
  return entries.map((e) => e.reviewed).sort()[0];
}

/**
 * Blocks for an accepted LLM answer: the AI-assisted label, the text, the guidance entries it
 * cites as [1]..[n], and those entries' documents. The caller adds feedback buttons and the like.
 */
export function aiAssistedBlocks(outcome: { text: string; cited: Entry[] }): Block[] {
  const sources: Source[] = [];
  for (const s of outcome.cited.flatMap((e) => e.sources)) {
    if (!sources.some((x) => x.url === s.url))
      sources.push({ title: s.title, publisher: s.publisher, url: s.url, date: s.date });
  }
  const guidance = outcome.cited.map((e, i) => `- [${i + 1}] ${e.title}`).join('\n');
  const reviewed = oldestReview(outcome.cited);
  return [
    { type: 'notice', tone: 'info', text: AI_ASSISTED_NOTICE },
    { type: 'paragraph', text: outcome.text },
    { type: 'paragraph', text: `**Guidance used:**\n${guidance}` },
    { type: 'sources', sources, ...(reviewed ? { reviewed } : {}) },
  ];
}
