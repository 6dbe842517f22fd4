/**
 * `npm start` runs the bundled server (dist/bundle/main.mjs, made by scripts/bundle.mjs after tsc).
 * Bundling moves every module into a few files, so anything a module finds from its own location
 * (static files, the build's caches, its own code's fingerprint) must still be found.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannerUrl, stopChild, watchOutput } from '../helpers/process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | undefined;
let dataDir: string;
let base: URL;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'bundle-'));
  // run-built.mjs builds first when a source is newer than dist/, as npm start does.
  child = spawn(process.execPath, ['scripts/run-built.mjs', 'dist/bundle/main.mjs'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  base = await watchOutput(child).until(bannerUrl);
}, 120_000);

afterAll(async () => {
  await stopChild(child);
  await rm(dataDir, { recursive: true, force: true });
});

describe('the bundled server', () => {
  it('serves the chat page and its static files from dist/', async () => {
    const page = await fetch(base);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    for (const file of ['app.js', 'style.css']) {
      const res = await fetch(new URL(file, base));
      expect(res.status, file).toBe(200);
      expect((await res.text()).length, file).toBeGreaterThan(100);
    }
    const health = (await (await fetch(new URL('healthz', base))).json()) as { entries: number };
    expect(health.entries).toBeGreaterThan(50);
  });

  it('answers, using the caches the build made rather than working them out again', async () => {
    const res = await fetch(new URL('api/chat', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        userId: 'bundle-test',
        text: 'can I accept a gift from a delegation?',
      }),
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toMatch(/gift/i);
    // Parsed YAML (the contacts file's too), terms, remit counts and classifier weights all came
    // from dist/cache: none written here.
    const written = await readdir(join(dataDir, 'cache')).catch(() => []);
    expect(written.filter((f) => /^(terms|remit|intent|yaml)-/.test(f))).toEqual([]);
  });

  it('maps its code back to the TypeScript sources', () => {
    const maps = readdirSync(join(ROOT, 'dist', 'bundle')).filter((f) => f.endsWith('.map'));
    const sources = maps.flatMap(
      (f) =>
        (JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', f), 'utf8')) as { sources: string[] })
          .sources,
    );
    expect(sources).toContain('../../src/retrieval/retriever.ts');
    expect(sources).toContain('../../adapters/web/server.ts');
    // The bundle is minified (whitespace and syntax), and its code still maps to the right lines.
    for (const [needle, source, line] of [
      ['function extendsBase(', 'src/retrieval/intent.ts', /^function extendsBase\(/m],
      ['function sparseSoftmax(', 'src/retrieval/intent.ts', /^function sparseSoftmax\(/m],
    ] as const) {
      const file = readdirSync(join(ROOT, 'dist', 'bundle')).find(
        (f) =>
          f.endsWith('.mjs') &&
          readFileSync(join(ROOT, 'dist', 'bundle', f), 'utf8').includes(needle),
      );
      if (!file) throw new Error(`no chunk has ${needle}`);
      const code = readFileSync(join(ROOT, 'dist', 'bundle', file), 'utf8');
      const at = code.indexOf(needle);
      const row = code.slice(0, at).split('\n').length - 1;
      const column = at - (code.lastIndexOf('\n', at - 1) + 1);
      const map = new SourceMap(
        JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', `${file}.map`), 'utf8')),
      );
      const entry = map.findEntry(row, column) as {
        originalSource?: string;
        originalLine?: number;
      };
      expect(entry.originalSource, needle).toMatch(new RegExp(`${source.replaceAll('.', '\\.')}$`));
      const lines = readFileSync(join(ROOT, source), 'utf8').split('\n');
      expect(lines[entry.originalLine ?? -1], needle).toMatch(line);
    }
    // Only the mappings: Node keeps a loaded map whole, and the sources' text is megabytes.
    for (const f of maps)
      expect(
        JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', f), 'utf8')) as object,
        f,
      ).not.toHaveProperty('sourcesContent');
  });

  it("carries only the English one of zod's message locales, and still explains a bad entry in it", async () => {
    const sources = readdirSync(join(ROOT, 'dist', 'bundle'))
      .filter((f) => f.endsWith('.map'))
      .flatMap(
        (f) =>
          (
            JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', f), 'utf8')) as {
              sources: string[];
            }
          ).sources,
      );
    const locales = sources.filter((s) => /zod\/v4\/locales\//.test(s));
    // The English locale, and the bundle's own stand-in for zod's list of them (scripts/bundle.mjs).
    expect(locales.sort()).toEqual([
      '../../node_modules/zod/v4/locales/en.js',
      'zod-en:/work/main/node_modules/zod/v4/locales/en-only.js'.replace('/work/main/', ROOT),
    ]);

    // A review date that is a number, not a date: the bundled CLI names the field, in English.
    const dir = await mkdtemp(join(tmpdir(), 'bundle-knowledge-'));
    try {
      await cp(join(ROOT, 'knowledge'), dir, { recursive: true });
      const file = join(dir, 'guidance', 'gifts-from-visiting-delegations.md');
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace(/^reviewBy: .*$/m, 'reviewBy: 5'));
      const run = spawnSync(process.execPath, ['dist/bundle/cli.mjs', 'knowledge', 'check'], {
        cwd: ROOT,
        env: { ...process.env, KNOWLEDGE_DIR: dir, DATA_DIR: dataDir },
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stdout + run.stderr).toContain(
        'gifts-from-visiting-delegations", field "reviewBy": Invalid input: expected string, received number',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
