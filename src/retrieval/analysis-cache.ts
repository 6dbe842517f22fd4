import { createHash } from 'node:crypto';
import { cachedValue, hashJson } from '../disk-cache.js';
import { ANALYSIS_VERSION, terms } from './normalise.js';

/**
 * The analysed terms of many texts (every entry's fields and example questions), kept on disk
 * between runs: analysing them is most of the work of building the search indexes at start-up.
 * The file is keyed by a hash of the texts and of the analysis code itself, so changed guidance
 * or changed synonyms and stemming are never served stale terms.
 */
const FORMAT = 1;

export function analyseAll(texts: readonly string[], cacheDirs: readonly string[]): string[][] {
  const key = hashJson(
    createHash('sha256').update(`${FORMAT}\u0000${ANALYSIS_VERSION}\u0000`),
    texts,
  ).digest('hex');
  return cachedValue(
    cacheDirs,
    `terms-${key.slice(0, 24)}.json`,
    () => {
      // Identical texts (a title repeated as an example) are analysed once.
      const seen = new Map<string, string[]>();
      return texts.map((t) => {
        let r = seen.get(t);
        if (!r) {
          r = terms(t);
          seen.set(t, r);
        }
        return r;
      });
    },
    (v): v is string[][] =>
      Array.isArray(v) &&
      v.length === texts.length &&
      v.every((t) => Array.isArray(t) && t.every((w) => typeof w === 'string')),
  );
}
