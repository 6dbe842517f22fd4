/**
 * Runs a compiled entry point, building dist/ first if any source is newer than it:
 *   node scripts/run-built.mjs dist/bundle/main.mjs [args...]
 * The entry runs in this same process (one Node start-up, not two) and sees the usual
 * process.argv: [node, entry, ...args]. Its stack traces name the TypeScript sources, from the
 * build's source maps read when a stack is first read (scripts/stack-maps.mjs), unless Node's own
 * --enable-source-maps is on, which reads every map at start.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIfStale, ROOT } from './build.mjs';
import { installStackMaps } from './stack-maps.mjs';

if (!process.sourceMapsEnabled) installStackMaps();

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('Usage: node scripts/run-built.mjs dist/bundle/main.mjs [args...]\n');
  process.exit(2);
}
const code = await buildIfStale();
if (code !== 0) process.exit(code);
const file = join(ROOT, entry);
process.argv = [process.argv[0] ?? process.execPath, file, ...args];
await import(pathToFileURL(file).href);
