/**
 * Compiles src/ and adapters/ to dist/ with tsc (tsconfig.build.json, source maps on), copies
 * the web chat's static files next to the compiled server, bundles the server and the CLI into
 * dist/bundle/ (scripts/bundle.mjs: one file to load at start instead of hundreds), and stamps the
 * build.
 *   node scripts/build.mjs            build now (npm run build, and npm install's prepare)
 *   import { buildIfStale }           build only when a source is newer than the stamp
 * Plain JavaScript with no dependencies, so it runs before anything is compiled.
 */
import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.mjs';

/** The project root (this file is in scripts/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
/** What the build reads: a change to any of these makes dist/ stale. */
const INPUTS = ['src', 'adapters', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
/** Folders of static files the compiled code reads beside itself, copied into dist/ as they are. */
export const STATIC_DIRS = [
  join('adapters', 'web', 'public'),
  join('adapters', 'web', 'console', 'public'),
];

/** The newest modification time (ms) under `path`, a file or a folder. */
function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs; // A folder's time changes when a file is added, removed or renamed.
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

/** True when dist/ is missing or older than any input. Costs a few milliseconds. */
export function isStale() {
  let built;
  try {
    built = statSync(STAMP).mtimeMs;
  } catch {
    return true;
  }
  return INPUTS.some((p) => newest(join(ROOT, p)) > built);
}

/**
 * Builds dist/. Progress and compiler errors go to stderr, so a command's stdout (the CLI's
 * JSON) stays clean. Returns the exit code: 0 when built.
 */
export async function build() {
  // Loaded here, not at the top: every start imports this file to check for a stale build.
  const { spawnSync } = await import('node:child_process');
  let tsc;
  try {
    tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    // An install without dev dependencies cannot compile; a shipped dist/ still runs.
    process.stderr.write(
      existsSync(join(DIST, 'src', 'main.js'))
        ? 'TypeScript is not installed; using the existing dist/.\n'
        : 'TypeScript is not installed, so dist/ cannot be built. Run npm install (with dev dependencies).\n',
    );
    return existsSync(join(DIST, 'src', 'main.js')) ? 0 : 1;
  }
  // tsc's incremental build trusts its build info; without the outputs it must start afresh.
  if (!existsSync(join(DIST, 'src', 'main.js')))
    rmSync(join(DIST, '.tsbuildinfo'), { force: true });
  process.stderr.write('Building dist/ (tsc -p tsconfig.build.json)...\n');
  const started = Date.now();
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (run.status !== 0) {
    process.stderr.write(`Build failed (tsc exited with ${run.status ?? run.signal}).\n`);
    return run.status || 1;
  }
  // The compiled web server and consoles look for their static files beside themselves.
  for (const dir of STATIC_DIRS) {
    rmSync(join(DIST, dir), { recursive: true, force: true });
    cpSync(join(ROOT, dir), join(DIST, dir), { recursive: true });
  }
  try {
    await bundle();
  } catch (err) {
    process.stderr.write(`Bundling failed: ${err?.message ?? err}\n`);
    return 1;
  }
  // Train the answer classifier now, so the first start loads it (a failure is only a warning).
  spawnSync(process.execPath, [join(DIST, 'src', 'warm-cache.js')], {
    cwd: ROOT,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  process.stderr.write(
    `Built ${relative(ROOT, DIST)}/ in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
  );
  return 0;
}

/** Builds when dist/ is stale; returns the exit code (0 when dist/ is up to date). */
export async function buildIfStale() {
  return isStale() ? build() : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await build();
