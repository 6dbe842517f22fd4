import { createHash } from 'node:crypto';

/**
 * A digest of texts and, when given, the label of each (an example question and its entry), for
 * the cache keys of the models learnt from them. The retriever works it out once and hands it to
 * each model: hashing the shipped examples' text costs a few milliseconds of start-up each time.
 */
export function labelledDigest(texts: readonly string[], labels?: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify(labels ?? null))
    .update('\u0000')
    .update(JSON.stringify(texts))
    .digest('hex');
}
