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
import { readdirSync, readFileSync } from 'node:fs';
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
import { cleanupOnInterrupt } from './cleanup.js';
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
    ['--enable-source-maps', '--max-semi-space-size=4', 'dist/bundle/main.mjs'],
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
  /** CPU seconds used in the segment: each replica, PostgreSQL, this load generator. */
  cpu: number[];
}

/** CPU seconds (user + system) a process has used; 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The cluster's server processes: the postmaster listening on `port`, and its children. */
function postgresPids(port: number): number[] {
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const read = (pid: string, file: string) => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, 'utf8');
    } catch {
      return '';
    }
  };
  const master = procs.find((p) => {
    const cmd = read(p, 'cmdline').split('\0');
    return cmd.some((a) => a.endsWith('/postgres')) && cmd.join(' ').includes(`-p ${port}`);
  });
  if (!master) return [];
  const children = procs.filter((p) => /PPid:\s+(\d+)/.exec(read(p, 'status'))?.[1] === master);
  return [master, ...children].map(Number);
}

/** The processes whose CPU is counted: replicas, then PostgreSQL (as one), then this one. */
let counted: { replicas: number[]; port: number } = { replicas: [], port: 0 };

function cpuNow(): number[] {
  const pg = postgresPids(counted.port).reduce((n, pid) => n + cpuSeconds(pid), 0);
  const own = process.cpuUsage();
  return [...counted.replicas.map(cpuSeconds), pg, (own.user + own.system) / 1e6];
}

let asked = 0;

/** CONCURRENCY clients for `seconds`, each request to the next replica in turn. */
async function drive(urls: string[], agents: Agent[], seconds: number): Promise<Segment> {
  const latencies: number[] = [];
  let errors = 0;
  let turn = 0;
  const cpu0 = cpuNow();
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
  const took = (performance.now() - t0) / 1000;
  return {
    answers: latencies.length,
    errors,
    seconds: took,
    latencies,
    cpu: cpuNow().map((c, i) => c - (cpu0[i] ?? 0)),
  };
}

async function main(): Promise<void> {
  const found = findPostgres();
  if (!found.ok) throw new Error(`PostgreSQL is not available: ${found.reason}`);
  // As `npm start` would: build dist/ only if a source is newer.
  const built = spawnSync(
    process.execPath,
    ['-e', "import('./scripts/build.mjs').then(async (m) => process.exit(await m.buildIfStale()))"],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (built.status !== 0) throw new Error('npm run build failed');
  const cluster = await startCluster(found);
  const replicas: Replica[] = [];
  // The cluster runs in its own session, so Ctrl-C would leave it running: stop it first.
  const cleanup = cleanupOnInterrupt(async () => {
    for (const r of replicas) await stopReplica(r);
    await cluster.stop();
  });
  try {
    await cluster.admin('CREATE DATABASE bench');
    const url = cluster.url('bench');
    // One at a time: the first applies the migrations, the second finds them done.
    replicas.push(await startReplica(1, url));
    replicas.push(await startReplica(2, url));
    counted = { replicas: replicas.map((r) => r.child.pid ?? 0), port: cluster.port };
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
        ...[0, 1, 2, 3].map((i) =>
          (segs.reduce((n, s) => n + (s.cpu[i] ?? 0), 0) / secs).toFixed(2),
        ),
      ];
    });
    printTable(
      [
        'arm',
        'answers/s',
        'answers/s by round',
        'p50 ms',
        'p99 ms',
        'errors',
        'cores: replica 1',
        'replica 2',
        'PostgreSQL',
        'load generator',
      ],
      rows,
    );
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
    const { rows: written } = await db.query<{ audit: number }>(
      'SELECT count(*)::int AS audit FROM audit_events',
    );
    await db.end();
    console.log(
      `\n"cores" is CPU seconds a second of each process while its arm ran. The replicas wrote ${written[0]?.audit} audit lines (about one an answer) to the database.`,
    );
    console.log(
      `Two replicas ÷ one: ${overall.toFixed(2)}× answers a second (rounds paired: ${ratios.map((r) => r.toFixed(2)).join(', ')}). Load average at the end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')}.`,
    );
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
