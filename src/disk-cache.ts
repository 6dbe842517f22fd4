import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Start-up caches of work derived from the knowledge (analysed terms, word counts, trained
 * weights). A value is read from the first folder that has a valid file of that name; otherwise it
 * is computed and written to the first folder. Names carry a hash of everything the value depends
 * on, so a stale file is never read. Damaged files are ignored, and a failure to write only costs
 * the next start some time.
 */
export function cachedValue<T>(
  dirs: readonly string[],
  name: string,
  compute: () => T,
  valid: (value: unknown) => value is T,
): T {
  for (const dir of dirs) {
    const saved = readJson(join(dir, name));
    if (saved !== undefined && valid(saved)) return saved;
  }
  const value = compute();
  if (dirs[0]) writeJson(join(dirs[0], name), value);
  return value;
}

/** The parsed JSON in `file`, or undefined when it is missing or unreadable. */
export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Writes `value` as JSON, atomically; a failure is ignored (a cache is only a saving). */
export function writeJson(file: string, value: unknown): void {
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
