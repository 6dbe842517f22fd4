/**
 * Answer latency in process, two builds side by side: this checkout's compiled retriever and
 * another checkout's (BENCH_BEFORE=/path: its dist/, or its sources if it has none), both on this checkout's
 * shipped knowledge, taking turns round by round (AB, BA, ...). Each round asks the benchmark's
 * questions (bench/questions.txt) and every question of the quality sets once. Prints p50 and
 * p99 per question and their ratio with a 95 % bootstrap interval over rounds; asserts nothing.
 * BENCH_OWN_KNOWLEDGE=1 gives each build its own checkout's knowledge instead (the system as it
 * was, examples and all, against the system now). BENCH_WHOLE=1 times the whole answer (routing,
 * the register, the search and the reply) instead of the search alone.
 *   npm run build && BENCH_BEFORE=../old npx tsx bench/retrieval.bench.ts   (BENCH_ROUNDS=10)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { printTable } from './compare.js';
import { ms, percentile } from './stats.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const before = process.env.BENCH_BEFORE ? resolve(process.env.BENCH_BEFORE) : undefined;
/** BENCH_WHOLE=1 times the whole answer (`answerText`: routing, search and reply), not the search alone. */
const WHOLE = process.env.BENCH_WHOLE === '1';

const questions = [
  ...readFileSync(join(ROOT, 'bench/questions.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean),
  ...readdirSync(join(ROOT, 'test/quality'))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => {
      const set = parse(readFileSync(join(ROOT, 'test/quality', f), 'utf8')) as {
        inScope?: { q: string }[];
        outOfScope?: { q: string }[];
      };
      return [...(set.inScope ?? []), ...(set.outOfScope ?? [])].map((q) => q.q);
    }),
];

interface Searcher {
  search(q: string): unknown;
}

/** A retriever from a checkout's compiled code, on this checkout's knowledge (or its own). */
async function load(root: string): Promise<Searcher> {
  // A checkout from before the build existed runs from its TypeScript (this runs under tsx).
  const built = existsSync(join(root, 'dist', 'src', 'retrieval', 'index.js'));
  const from = (p: string) =>
    import(
      pathToFileURL(built ? join(root, 'dist', p) : join(root, p.replace(/\.js$/, '.ts'))).href
    );
  const { loadKnowledge } = await from('src/knowledge/index.js');
  const { Retriever } = await from('src/retrieval/index.js');
  const knowledge = await loadKnowledge(
    join(process.env.BENCH_OWN_KNOWLEDGE === '1' ? root : ROOT, 'knowledge'),
  );
  // The constructor's last argument is the cache folders in both builds; none: trained here.
  const retriever = new Retriever(knowledge);
  if (!WHOLE) return retriever;
  // The whole answer: small talk, declines and the register before the search, the reply after.
  const { answerText } = await from('src/answer.js');
  return { search: (q: string) => answerText(knowledge, retriever, q, '2026-12-03') };
}

const arms: [string, Searcher][] = [['now', await load(ROOT)]];
if (before) arms.push(['before', await load(before)]);
const times = new Map<string, number[][]>(arms.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, r] of round % 2 ? [...arms].reverse() : arms) {
    const t: number[] = [];
    for (const q of questions) {
      const t0 = performance.now();
      r.search(q);
      t.push(performance.now() - t0);
    }
    times.get(name)?.push(t.sort((a, b) => a - b));
  }
}

const stat = (rounds: number[][], p: number) => rounds.map((t) => percentile(t, p));
const mid = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
console.log(
  `${WHOLE ? 'Whole answers' : 'Retrieval'} in process: ${questions.length} questions a round, ${ROUNDS} rounds, arms alternating.\n`,
);
printTable(
  ['build', 'p50 ms (median of rounds)', 'p99 ms', 'questions/s'],
  arms.map(([name]) => {
    const r = times.get(name) ?? [];
    const total = mid(r.map((t) => t.reduce((s, x) => s + x, 0)));
    return [
      name,
      ms(mid(stat(r, 50))),
      ms(mid(stat(r, 99))),
      String(Math.round(questions.length / (total / 1000))),
    ];
  }),
);
if (before) {
  // Bootstrap over rounds: resample paired rounds, ratio of medians.
  const now = times.get('now') ?? [];
  const old = times.get('before') ?? [];
  for (const p of [50, 99]) {
    const a = stat(now, p);
    const b = stat(old, p);
    const draws: number[] = [];
    let seed = 1;
    const rand = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 1000; i++) {
      const pick = a.map(() => Math.floor(rand() * a.length));
      draws.push(mid(pick.map((k) => a[k] ?? 0)) / mid(pick.map((k) => b[k] ?? 1)));
    }
    draws.sort((x, y) => x - y);
    console.log(
      `now ÷ before, p${p}: ${(mid(a) / mid(b)).toFixed(2)}× (${percentile(draws, 2.5).toFixed(2)}–${percentile(draws, 97.5).toFixed(2)})`,
    );
  }
}
