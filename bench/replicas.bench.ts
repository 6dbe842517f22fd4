/**
 * Answers a second with two replicas against one, both on one PostgreSQL database. Two bot
 * processes (the compiled `dist/`, started as `npm start` starts it, built first if stale) run
 * on a throw-away cluster with DATABASE_URL; 50 clients post questions to `POST /api/chat` for
 * a fixed time, either all to the first replica or round-robin across both. The arms alternate
 * (one, two, two, one, ...), several rounds each, and the second replica idles while the first
 * serves alone, so both arms pay for the same processes. Questions are the knowledge entries'
 * own example questions (the knowledge loader), never the held-out evaluation sets.
 * Prints answers a second, p50 and p99, and the two-to-one ratio. Asserts nothing.
 *   npm run bench:replicas      (BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONCURRENCY=50)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Agent, request } from 'undici';
import { findPostgres, startCluster } from '../scripts/pg-cluster.js';
import { loadKnowledge } from '../src/knowledge/index.js';
import { printTable } from './compare.js';
import { CONCURRENCY, ms, percentile } from './stats.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Distinct users the clients speak as, so no per-user limit is reached. */
const USERS = 5000;

const QUESTIONS = (await loadKnowledge(join(ROOT, 'knowledge'))).entries.flatMap(
  (e) => e.questions,
);

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

interface Replica {
  child: ChildProcess;
  url: string;
  dataDir: string;
}

async function startReplica(n: number, databaseUrl: string): Promise<Replica> {
  const dataDir = await mkdtemp(join(tmpdir(), `sca-replica-${n}-`));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', '--max-semi-space-size=4', 'dist/src/main.js'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
        MAX_MESSAGES_PER_MINUTE: '1000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`replica ${n} exited with ${child.exitCode}`);
    if (performance.now() > deadline) throw new Error(`replica ${n} did not start in 60 s`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, url, dataDir };
}

async function stopReplica(r: Replica): Promise<void> {
  if (r.child.exitCode === null) {
    const exited = new Promise((res) => r.child.once('exit', res));
    r.child.kill('SIGTERM');
    const timer = setTimeout(() => r.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await rm(r.dataDir, { recursive: true, force: true });
}

interface Segment {
  answers: number;
  errors: number;
  seconds: number;
  latencies: number[];
}

let asked = 0;

/** CONCURRENCY clients for `seconds`, each request to the next replica in turn. */
async function drive(urls: string[], agents: Agent[], seconds: number): Promise<Segment> {
  const latencies: number[] = [];
  let errors = 0;
  let turn = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const k = turn++ % urls.length;
        const i = asked++;
        const s = performance.now();
        try {
          const res = await request(`${urls[k]}/api/chat`, {
            method: 'POST',
            dispatcher: agents[k],
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              userId: `bench-${i % USERS}`,
              text: QUESTIONS[i % QUESTIONS.length],
            }),
          });
          await res.body.dump();
          if (res.statusCode === 200) latencies.push(performance.now() - s);
          else errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  return {
    answers: latencies.length,
    errors,
    seconds: (performance.now() - t0) / 1000,
    latencies,
  };
}

async function main(): Promise<void> {
  const found = findPostgres();
  if (!found.ok) throw new Error(`PostgreSQL is not available: ${found.reason}`);
  // As `npm start` would: build dist/ only if a source is newer.
  const built = spawnSync(
    process.execPath,
    ['-e', "import('./scripts/build.mjs').then((m) => process.exit(m.buildIfStale()))"],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (built.status !== 0) throw new Error('npm run build failed');
  const cluster = await startCluster(found);
  const replicas: Replica[] = [];
  try {
    await cluster.admin('CREATE DATABASE bench');
    const url = cluster.url('bench');
    // One at a time: the first applies the migrations, the second finds them done.
    replicas.push(await startReplica(1, url));
    replicas.push(await startReplica(2, url));
    const agents = replicas.map(() => new Agent({ connections: CONCURRENCY, pipelining: 1 }));
    const arms = [
      { name: 'one replica', urls: [replicas[0]!.url], agents: [agents[0]!] },
      { name: 'two replicas', urls: replicas.map((r) => r.url), agents },
    ];
    console.log(
      `POST /api/chat, ${CONCURRENCY} concurrent clients, ${SECONDS} s segments, ${ROUNDS} rounds after a warm-up, arms alternating; compiled dist/ on PostgreSQL ${found.bin.match(/\/(\d+)\/bin/)?.[1] ?? ''} (throw-away cluster, fsync off). ${QUESTIONS.length} example questions from the knowledge entries. Node ${process.version}.`,
    );
    console.log(
      `This machine has ${availableParallelism()} cores (load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ', ',
        )} at the start), shared by the replicas, PostgreSQL and this load generator: a second replica can add at most one core's worth, and less when the others are busy.\n`,
    );
    const results = new Map<string, Segment[]>(arms.map((a) => [a.name, []]));
    // Warm-up: both arms once, untimed.
    for (const arm of arms) await drive(arm.urls, arm.agents, Math.min(5, SECONDS));
    for (let round = 0; round < ROUNDS; round++)
      for (const arm of round % 2 === 0 ? arms : [...arms].reverse())
        results.get(arm.name)!.push(await drive(arm.urls, arm.agents, SECONDS));
    for (const a of agents) await a.close();

    const rate = (s: Segment) => s.answers / s.seconds;
    const rows = arms.map((arm) => {
      const segs = results.get(arm.name)!;
      const lat = segs.flatMap((s) => s.latencies).sort((x, y) => x - y);
      const total = segs.reduce((n, s) => n + s.answers, 0);
      const secs = segs.reduce((n, s) => n + s.seconds, 0);
      return [
        arm.name,
        (total / secs).toFixed(0),
        segs.map((s) => rate(s).toFixed(0)).join(', '),
        ms(percentile(lat, 50)),
        ms(percentile(lat, 99)),
        String(segs.reduce((n, s) => n + s.errors, 0)),
      ];
    });
    printTable(['arm', 'answers/s', 'answers/s by round', 'p50 ms', 'p99 ms', 'errors'], rows);
    const one = results.get('one replica')!;
    const two = results.get('two replicas')!;
    const ratios = two.map((s, i) => rate(s) / rate(one[i]!)).sort((x, y) => x - y);
    const overall =
      two.reduce((n, s) => n + s.answers, 0) /
      two.reduce((n, s) => n + s.seconds, 0) /
      (one.reduce((n, s) => n + s.answers, 0) / one.reduce((n, s) => n + s.seconds, 0));
    // Proof that the replicas kept their state in the database, not in DATA_DIR.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const { rows: written } = await db.query<{ users: number; audit: number }>(
      'SELECT (SELECT count(*) FROM conversations)::int AS users, (SELECT count(*) FROM audit_events)::int AS audit',
    );
    await db.end();
    console.log(
      `\nThe database holds conversation state for ${written[0]?.users} users and ${written[0]?.audit} audit lines written by the replicas.`,
    );
    console.log(
      `Two replicas ÷ one: ${overall.toFixed(2)}× answers a second (rounds paired: ${ratios.map((r) => r.toFixed(2)).join(', ')}). Load average at the end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')}.`,
    );
  } finally {
    for (const r of replicas) await stopReplica(r);
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
