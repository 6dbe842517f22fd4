import { createHash } from 'node:crypto';
import { hashJson } from '../disk-cache.js';

/**
 * A digest of texts and, when given, the label of each (an example question and its entry), for
 * the cache keys of the models learnt from them. The retriever works it out once and hands it to
 * each model: hashing the shipped examples' text costs a few milliseconds of start-up each time.
 */
export function labelledDigest(texts: readonly string[], labels?: readonly string[]): string {
  const hash = hashJson(createHash('sha256'), labels ?? null).update('\u0000');
  return hashJson(hash, texts).digest('hex');
}
