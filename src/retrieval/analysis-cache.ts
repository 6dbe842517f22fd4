import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYSIS_VERSION, terms } from './normalise.js';

/**
 * The analysed terms of many texts (every entry's fields and example questions), kept on disk
 * between runs: analysing them is most of the work of building the search indexes at start-up.
 * The file is keyed by a hash of the texts and of the analysis code itself, so changed guidance
 * or changed synonyms and stemming are never served stale terms. Read from the first folder that
 * has it; written to the first folder when it had to be computed (a failure to write only costs
 * the next start some time).
 */
const FORMAT = 1;

export function analyseAll(texts: readonly string[], cacheDirs: readonly string[]): string[][] {
  const key = createHash('sha256')
    .update(`${FORMAT}\u0000${ANALYSIS_VERSION}\u0000`)
    .update(texts.join('\u0000'))
    .digest('hex');
  const name = `terms-${key.slice(0, 24)}.json`;
  for (const dir of cacheDirs) {
    const saved = read(join(dir, name), texts.length);
    if (saved) return saved;
  }
  // Identical texts (a title repeated as an example) are analysed once.
  const seen = new Map<string, string[]>();
  const out = texts.map((t) => {
    let r = seen.get(t);
    if (!r) {
      r = terms(t);
      seen.set(t, r);
    }
    return r;
  });
  if (cacheDirs[0]) write(join(cacheDirs[0], name), out);
  return out;
}

function read(file: string, count: number): string[][] | undefined {
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (
      Array.isArray(body) &&
      body.length === count &&
      body.every((t) => Array.isArray(t) && t.every((w) => typeof w === 'string'))
    )
      return body as string[][];
  } catch {
    // Missing or unreadable: analyse instead.
  }
  return undefined;
}

function write(file: string, value: string[][]): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    // A name of its own, so two processes sharing the folder never write into one file.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, JSON.stringify(value));
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written only costs the next start some time.
  }
}
