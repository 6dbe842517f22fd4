/**
 * Bundles the compiled server (dist/src/main.js) and the CLI (dist/src/cli.js) with esbuild into
 * one file each under dist/bundle/, so a start reads and compiles a single file instead of a few
 * hundred modules. Packages that load only when a feature is switched on (Slack, Teams,
 * PostgreSQL, sign-in, the LLM's HTTP client) stay outside and load as before.
 * Each module's `import.meta.url` still names its own file in dist/, so paths it works out
 * (static files, caches, the project folder) are the same as unbundled.
 *   node scripts/bundle.mjs            (run by scripts/build.mjs after tsc)
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'bundle');

/** Loaded only when their feature is configured; bundling them would only make the file bigger. */
export const EXTERNAL = [
  '@slack/bolt',
  '@slack/web-api',
  'botbuilder',
  'botframework-connector',
  'pg',
  'undici',
  'openid-client',
  'date-holidays',
  'playwright-core',
];

/** Keeps each module's own file URL, relative to the bundle, so the bundle can move with dist/. */
const ownFileUrl = {
  name: 'own-file-url',
  setup(build) {
    build.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      if (text.includes('import.meta.url')) {
        const rel = relative(OUT, args.path).split(sep).join('/');
        text = text.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(rel)}, import.meta.url).href`,
        );
      }
      return { contents: text, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Zod's namespace export carries every one of its ~60 message locales: about half its code, 370 kB
 * that each start would compile. The bot validates in English only (zod sets its English locale
 * itself, from locales/en.js), so in the bundle `z.locales` and `z.core.locales` hold just `en`.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/.test(args.importer)
        ? { path: join(dirname(args.importer), '..', 'locales', 'en-only.js'), namespace: 'zod-en' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

export async function bundle() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    // The metafile names outputs relative to this folder.
    absWorkingDir: ROOT,
    metafile: true,
    entryPoints: {
      main: join(ROOT, 'dist', 'src', 'main.js'),
      cli: join(ROOT, 'dist', 'src', 'cli.js'),
    },
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // A module loaded with import() (an adapter, an optional feature) gets a file of its own, so
    // the packages it imports load only when it does.
    splitting: true,
    chunkNames: '[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Whitespace and syntax only: names stay as written, for profiles and stack traces. V8 keeps
    // each script's source text for the life of the process, and compiles what it reads: with
    // these, 2 s after start the server's resident memory was about 5 MB lower (96-98 MB against
    // 101-103 MB over eight alternating starts each), and start-up no slower.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: true,
    // Stack traces need only the mappings and the source paths; the sources' own text would sit
    // in memory for the life of the process (several MB), since Node loads each map whole.
    sourcesContent: false,
    external: EXTERNAL,
    plugins: [ownFileUrl, zodEnglishOnly],
    // CommonJS packages inside an ES module bundle still call require().
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  // Chunk names carry a hash of their content, so each build that changes one leaves the old file
  // behind: remove what this build did not write (after it, so a failed build removes nothing).
  const written = new Set(Object.keys(result.metafile.outputs).map((f) => join(ROOT, f)));
  for (const f of await readdir(OUT))
    if (!written.has(join(OUT, f))) await rm(join(OUT, f), { force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await bundle();
