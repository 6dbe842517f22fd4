/**
 * `npm start` and `npm run cli` run without Node's --enable-source-maps, which reads every map at
 * start: scripts/run-built.mjs installs scripts/stack-maps.mjs instead, which reads a map only when
 * a stack passes through its file. Stack traces must still name the TypeScript sources.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUNDLE = join(ROOT, 'dist', 'bundle');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stack-maps-'));
  // A small program compiled the way the bot is (esbuild, minified, maps beside the output).
  await writeFile(
    join(dir, 'thrower.ts'),
    [
      'export function inner(n: number): number {',
      '  if (n > 1) return inner(n - 1);',
      "  throw new RangeError('deep enough');",
      '}',
      'inner(3);',
      '',
    ].join('\n'),
  );
  await mkdir(join(dir, 'dist'));
  await build({
    entryPoints: [join(dir, 'thrower.ts')],
    outfile: join(dir, 'dist', 'thrower.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    minifyWhitespace: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'silent',
  });
  // The same code with no map beside it.
  await mkdir(join(dir, 'nomap', 'dist'), { recursive: true });
  await writeFile(
    join(dir, 'nomap', 'dist', 'thrower.mjs'),
    readFileSync(join(dir, 'dist', 'thrower.mjs'), 'utf8').replace(
      /\/\/# sourceMappingURL=.*$/m,
      '',
    ),
  );
});

afterAll(() => rm(dir, { recursive: true, force: true }));

const run = (args: string[]) =>
  spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('stack traces of the compiled code', () => {
  it('name the TypeScript lines when run as npm start runs the bot, without Node reading maps', () => {
    const entry = relative(ROOT, join(dir, 'dist', 'thrower.mjs'));
    const r = run(['scripts/run-built.mjs', entry]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('RangeError: deep enough');
    const frames = (text: string) =>
      text.split('\n').filter((l) => l.trim().startsWith('at inner'));
    const ours = frames(r.stderr);
    expect(ours.length).toBe(3);
    expect(ours[0]).toContain(`${join(dir, 'thrower.ts')}:3:9`);
    expect(ours[1]).toContain(`${join(dir, 'thrower.ts')}:2:21`);
    // The same places Node's own --enable-source-maps gives.
    const node = run(['--enable-source-maps', join(dir, 'dist', 'thrower.mjs')]);
    expect(frames(node.stderr)).toEqual(ours);
    for (const frame of ours) expect(frame).not.toContain('thrower.mjs');
  });

  it('are left as they are where no map can be read, and without the mapper', () => {
    const noMap = run([
      'scripts/run-built.mjs',
      relative(ROOT, join(dir, 'nomap', 'dist', 'thrower.mjs')),
    ]);
    expect(noMap.stderr).toContain('RangeError: deep enough');
    expect(noMap.stderr).toMatch(/at inner \(.*nomap\/dist\/thrower\.mjs:\d+:\d+\)/);
    const plain = run([join(dir, 'dist', 'thrower.mjs')]);
    expect(plain.stderr).toMatch(/at inner \(.*dist\/thrower\.mjs:\d+:\d+\)/);
  });

  it("map the bot's own bundle to its sources", () => {
    const chunk = readdirSync(BUNDLE).find(
      (f) =>
        f.endsWith('.mjs') &&
        /export\{[^}]*\bRetriever\b/.test(readFileSync(join(BUNDLE, f), 'utf8')),
    );
    expect(chunk).toBeDefined();
    const script = [
      `import { installStackMaps } from ${JSON.stringify(join(ROOT, 'scripts', 'stack-maps.mjs'))};`,
      'installStackMaps();',
      `const m = await import(${JSON.stringify(join(BUNDLE, chunk ?? ''))});`,
      'try { new m.Retriever(null); } catch (e) { console.log(e.stack); }',
    ].join('\n');
    const r = run(['--input-type=module', '-e', script]);
    expect(r.stdout).toMatch(/at new Retriever \(.*src\/retrieval\/retriever\.ts:\d+:\d+\)/);
    expect(r.stdout).not.toContain('dist/bundle');
  });
});
