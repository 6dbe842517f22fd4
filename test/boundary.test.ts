import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The one file in src/ allowed to import adapters: it wires them up at start-up. */
const COMPOSITION_ROOT = 'src/main.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(d.name) ? [path] : [];
  });
}

function imports(file: string): string[] {
  return importsIn(readFileSync(join(ROOT, file), 'utf8'));
}

function importsIn(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(
    /(?:import|export)[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g,
  )) {
    found.push(m[1] ?? m[2] ?? m[3] ?? '');
  }
  return found;
}

const PLATFORM_SDKS = [
  /^@slack\//,
  /^botbuilder/,
  /^botframework-/,
  /^@microsoft\/(agents|teams)/,
  /^adaptivecards/,
];

describe('architecture boundary', () => {
  const core = sourceFiles('src');

  it('finds the core files', () => {
    expect(core.length).toBeGreaterThan(10);
  });

  it('no core file imports a platform SDK', () => {
    const bad = core.flatMap((f) =>
      imports(f)
        .filter((i) => PLATFORM_SDKS.some((re) => re.test(i)))
        .map((i) => `${f} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('only the composition root imports adapters', () => {
    const bad = core
      .filter((f) => f !== COMPOSITION_ROOT)
      .flatMap((f) =>
        imports(f)
          .filter((i) => /(^|\/)adapters\//.test(i))
          .map((i) => `${f} imports ${i}`),
      );
    expect(bad).toEqual([]);
  });

  it('botbuilder stays inside adapters/teams', () => {
    const files = sourceFiles('adapters').filter((f) => !f.startsWith(join('adapters', 'teams')));
    const bad = files.flatMap((f) =>
      imports(f)
        .filter((i) => /^botbuilder|^botframework-/.test(i))
        .map((i) => `${f} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('adapters do not import each other', () => {
    const files = sourceFiles('adapters');
    const bad = files.flatMap((f) => {
      const own = relative('adapters', f).split('/')[0];
      return imports(f)
        .filter((i) => i.startsWith('.'))
        .map((i) => relative(ROOT, join(ROOT, f, '..', i)))
        .filter((target) => target.startsWith('adapters/') && target.split('/')[1] !== own)
        .map((target) => `${f} imports ${target}`);
    });
    expect(bad).toEqual([]);
  });

  it('reads process.env only in src/config.ts', () => {
    const bad = [...core, ...sourceFiles('adapters')].filter(
      (f) => f !== 'src/config.ts' && /process\.env\b/.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(bad).toEqual([]);
  });

  it('catches a forbidden import (the check itself works)', () => {
    const sample =
      "import { App } from '@slack/bolt';\nimport type {\n  X,\n} from '../adapters/web/server.js';\nconst x = await import('botbuilder');";
    expect(importsIn(sample)).toEqual(['@slack/bolt', '../adapters/web/server.js', 'botbuilder']);
  });
});
