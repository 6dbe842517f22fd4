/**
 * Runtime benchmark of the real server and CLI, two builds side by side, alternating:
 *   - `npm start` until the first GET /healthz 200 (polled every 5 ms);
 *   - resident memory of the server process 2 s after start, 15 s later (settled: V8 gives back
 *     start-up's memory once the process is quiet), and after 5,000 answers;
 *   - POST /api/chat, 50 concurrent: p50/p99 (50 in flight) and burst p99 (50 at once), after a
 *     warm-up (BENCH_WARMUP requests a server, 1,000 by default, timed and printed apart);
 *   - the CLI answering 1,000 questions (bench/questions.txt x 25) end to end, start-up included,
 *     and 1,000 distinct ones (the study sets' questions): repeated questions meet warm caches
 *     (each word's spelling variants are looked up once), as real traffic mostly does not.
 * The two arms are this checkout's `npm start` (compiled) and, by default, the same sources
 * under tsx (`npm run dev` without watch), or with BENCH_BEFORE=/path another checkout's own
 * `npm start` and `npm run cli`. A third arm, the floor (bench/floor.mjs: a fixed reply through
 * npm, no work), shows what npm, Node and HTTP cost here (BENCH_FLOOR=0 leaves it out).
 * Prints figures; asserts nothing.
 *   npx tsx bench/runtime.bench.ts     (BENCH_BEFORE=../old BENCH_STARTS=5 BENCH_ANSWERS=5000)
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { parse } from 'yaml';
import { startServer, stopServer } from './built.js';
import { printTable } from './compare.js';
import { CONCURRENCY, ms, percentile } from './stats.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const ANSWERS = Number(process.env.BENCH_ANSWERS ?? 5000);
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 3);
/** Requests each server answers, 50 at a time, before /api/chat is measured. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
/** How long after the first idle reading memory is read again, once the process has settled. */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 15_000);
const QUESTIONS = readFileSync(join(ROOT, 'bench/questions.txt'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter(Boolean);
const BATCH = Array.from({ length: 25 }, () => QUESTIONS)
  .flat()
  .join('\n');
/**
 * The first 1,000 study questions (ids EE to TT, written as study sets; the 1,000 that joined in
 * round 17 are left out so the figure stays comparable), each asked once, one a line.
 */
const DISTINCT = (() => {
  const sets = parse(readFileSync(join(ROOT, 'test/quality/study.yaml'), 'utf8')) as Record<
    'inScope' | 'outOfScope',
    { id: string; q: string }[]
  >;
  return [...sets.inScope, ...sets.outOfScope]
    .filter((x) => /^(EE|FF|GG|P[A-D]|RR|SS|TT)\d/.test(x.id))
    .map((x) => x.q.replace(/\s+/g, ' '))
    .join('\n');
})();
const DISTINCT_COUNT = DISTINCT.split('\n').length;

interface Build {
  name: string;
  cwd: string;
  /** How the server is started. */
  start: [string, string[]];
  /** How the CLI is run. */
  cli: [string, string[]];
}

const before = process.env.BENCH_BEFORE ? resolve(process.env.BENCH_BEFORE) : undefined;
/**
 * The least a bot can do (bench/floor.mjs through npm, as npm start runs ours): a fixed reply of
 * our reply's size, and a CLI that prints one fixed line a question. Not a target, a floor: what
 * npm, Node and HTTP cost on this machine before any work.
 */
const FLOOR: Build = {
  name: 'floor',
  cwd: ROOT,
  start: ['npm', ['run', '--silent', 'bench:floor', '--', 'server']],
  cli: ['npm', ['run', '--silent', 'bench:floor', '--', 'cli']],
};
const BUILDS: Build[] = [
  {
    name: 'compiled',
    cwd: ROOT,
    start: ['npm', ['start']],
    cli: ['npm', ['run', '--silent', 'cli', '--', 'ask', '--json']],
  },
  before
    ? {
        name: 'before',
        cwd: before,
        start: ['npm', ['start']],
        cli: ['npm', ['run', '--silent', 'cli', '--', 'ask', '--json']],
      }
    : {
        name: 'tsx',
        cwd: ROOT,
        start: ['npx', ['tsx', 'src/main.ts']],
        cli: ['npx', ['tsx', 'src/cli.ts', 'ask', '--json']],
      },
  ...(process.env.BENCH_FLOOR === '0' ? [] : [FLOOR]),
];

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

/** The deepest descendant of `pid`: the server under npm, sh and tsx. */
function leaf(pid: number): number {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, 'utf8'))?.[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // The process ended while we looked.
    }
  }
  let cur = pid;
  for (let kids = children.get(cur); kids?.length; kids = children.get(cur)) cur = kids[0]!;
  return cur;
}

const rssKb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** Starts a build's server (through npm, as in production) on a fresh data folder. */
const start = (b: Build) => startServer(b.cwd, { command: b.start, name: b.name });

async function chat(url: string, agent: Agent, i: number, user = 'u'): Promise<number> {
  const t0 = performance.now();
  const res = await request(`${url}/api/chat`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: `${user}${i % 300}`, text: QUESTIONS[i % QUESTIONS.length] }),
  });
  await res.body.dump();
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  return performance.now() - t0;
}

async function runCli(b: Build, batch = BATCH, expected = 1000): Promise<number> {
  const t0 = performance.now();
  const child = spawn(b.cli[0], b.cli[1], { cwd: b.cwd, stdio: ['pipe', 'pipe', 'inherit'] });
  let lines = 0;
  child.stdout.on('data', (d: Buffer) => {
    for (const c of d) if (c === 10) lines++;
  });
  child.stdin.end(batch);
  await new Promise((r) => child.once('exit', r));
  if (lines !== expected) throw new Error(`${b.name} CLI printed ${lines} lines`);
  return performance.now() - t0;
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

async function main(): Promise<void> {
  console.log(
    `Runtime: ${BUILDS.map((b) => `${b.name} (${[b.start[0], ...b.start[1]].join(' ')} in ${b.cwd})`).join(' vs ')}`,
  );
  console.log(`Node ${process.version}, arms alternating.\n`);
  // Start-up, alternating AB BA.
  const starts = new Map<string, number[]>(BUILDS.map((b) => [b.name, []]));
  for (let i = 0; i < STARTS; i++) {
    for (const b of i % 2 ? [...BUILDS].reverse() : BUILDS) {
      const r = await start(b);
      starts.get(b.name)!.push(r.readyMs);
      await stopServer(r);
    }
  }
  // Memory and /api/chat: both servers up, taking turns.
  const servers = [];
  for (const b of BUILDS) servers.push({ b, r: await start(b) });
  await new Promise((r) => setTimeout(r, 2000));
  const idle = new Map(servers.map(({ b, r }) => [b.name, rssKb(leaf(r.child.pid ?? 0))]));
  // V8 gives back what start-up used a few seconds after the process goes quiet.
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const settled = new Map(servers.map(({ b, r }) => [b.name, rssKb(leaf(r.child.pid ?? 0))]));
  const agents = new Map(
    servers.map(({ b }) => [b.name, new Agent({ connections: CONCURRENCY, pipelining: 1 })]),
  );
  const lat = new Map<string, { steady: number[]; burst: number[] }>(
    BUILDS.map((b) => [b.name, { steady: [], burst: [] }]),
  );
  // Warm-up: the first requests after start run before V8 has optimised the answering code, and
  // before each user's records exist. They are timed on their own line, not in the figures below.
  const warm = new Map<string, number[]>(BUILDS.map((b) => [b.name, []]));
  for (const { b, r } of servers) {
    const agent = agents.get(b.name)!;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < WARMUP) warm.get(b.name)!.push(await chat(r.url, agent, next++, 'w'));
      }),
    );
  }
  const perRound = 2 * CONCURRENCY;
  const rounds = Math.ceil(ANSWERS / (perRound + CONCURRENCY));
  let n = 0;
  for (let round = 0; round < rounds; round++) {
    for (const { b, r } of round % 2 ? [...servers].reverse() : servers) {
      const agent = agents.get(b.name)!;
      const out = lat.get(b.name)!;
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < perRound) out.steady.push(await chat(r.url, agent, n + next++));
        }),
      );
      out.burst.push(
        ...(await Promise.all(
          Array.from({ length: CONCURRENCY }, (_, i) => chat(r.url, agent, n + i)),
        )),
      );
    }
    n += perRound;
  }
  await new Promise((r) => setTimeout(r, 1000));
  const loaded = new Map(servers.map(({ b, r }) => [b.name, rssKb(leaf(r.child.pid ?? 0))]));
  for (const a of agents.values()) await a.close();
  for (const { r } of servers) await stopServer(r);
  // CLI batches, alternating.
  const cli = new Map<string, number[]>(BUILDS.map((b) => [b.name, []]));
  const distinct = new Map<string, number[]>(BUILDS.map((b) => [b.name, []]));
  for (let i = 0; i < CLI_RUNS; i++)
    for (const b of i % 2 ? [...BUILDS].reverse() : BUILDS) {
      cli.get(b.name)!.push(await runCli(b));
      distinct.get(b.name)!.push(await runCli(b, DISTINCT, DISTINCT_COUNT));
    }

  const answers = WARMUP + rounds * (perRound + CONCURRENCY);
  printTable(
    [
      'build',
      'npm start to /healthz 200 (median, min)',
      `RSS 2 s after start / settled / after ${answers} answers`,
      '/api/chat p50 / p99 / burst p99',
      'CLI 1,000 questions (median)',
      `CLI ${DISTINCT_COUNT} distinct questions (median)`,
    ],
    BUILDS.map((b) => {
      const s = starts.get(b.name)!;
      const l = lat.get(b.name)!;
      const steady = [...l.steady].sort((x, y) => x - y);
      const burst = [...l.burst].sort((x, y) => x - y);
      const c = median(cli.get(b.name)!);
      const d = median(distinct.get(b.name)!);
      return [
        b.name,
        `${ms(median(s))} ms, ${ms(Math.min(...s))} ms`,
        `${mb(idle.get(b.name) ?? 0)} / ${mb(settled.get(b.name) ?? 0)} / ${mb(loaded.get(b.name) ?? 0)}`,
        `${ms(percentile(steady, 50))} / ${ms(percentile(steady, 99))} / ${ms(percentile(burst, 99))} ms`,
        `${(c / 1000).toFixed(2)} s, ${Math.round(1000 / (c / 1000))} q/s`,
        `${(d / 1000).toFixed(2)} s, ${Math.round(DISTINCT_COUNT / (d / 1000))} q/s`,
      ];
    }),
  );
  console.log(
    `\n/api/chat figures follow a warm-up of ${WARMUP} requests per server (other users), timed apart: ${BUILDS.map(
      (b) => {
        const w = [...(warm.get(b.name) ?? [])].sort((x, y) => x - y);
        return `${b.name} p50 ${ms(percentile(w, 50))} / p99 ${ms(percentile(w, 99))} ms`;
      },
    ).join('; ')}.`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
