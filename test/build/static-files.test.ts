/**
 * The build (scripts/build.mjs) compiles TypeScript only; files the compiled server reads from a
 * `public/` folder beside itself must be copied too, or `npm start` fails where `tsx` works.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript with no type declarations.
import { STATIC_DIRS } from '../../scripts/build.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function publicFolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (!d.isDirectory()) return [];
    const path = join(dir, d.name);
    return d.name === 'public' ? [relative(ROOT, path)] : publicFolders(path);
  });
}

it('copies every public/ folder under adapters/ into dist/', () => {
  const found = publicFolders(join(ROOT, 'adapters')).sort();
  expect(found).toContain(join('adapters', 'web', 'console', 'public'));
  expect([...(STATIC_DIRS as string[])].sort()).toEqual(found);
});
