import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's folder (the one holding package.json), found from this file whether it runs as
 * TypeScript from `src/` or compiled from `dist/src/`.
 */
export const PROJECT_ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('Cannot find the project folder (no package.json above src/).');
    dir = up;
  }
  return dir;
})();

/**
 * Caches the build fills (`npm run build` trains the intent classifier on the shipped knowledge),
 * read before anything is trained at start-up. Read-only at run time.
 */
export const BUILD_CACHE = join(PROJECT_ROOT, 'dist', 'cache');
