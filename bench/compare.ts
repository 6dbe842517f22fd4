/**
 * Side-by-side load comparison for the Slack and Teams benchmarks. Each arm (our stack, a bare
 * echo app, ...) is a server in its own child process; this process is the load generator.
 * Rounds alternate the arms' order (AB, BA, ...) so a noisy neighbour hurts every arm alike.
 * Each round, each arm gets a steady segment (CONCURRENCY requests in flight) and a burst
 * (CONCURRENCY requests sent at once), then the arm's after-ack work (replies) must finish
 * before the next arm starts. Ratios come with a 95% paired bootstrap interval over rounds.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { seededRandom } from '../scripts/seeded-random.js';
import { CONCURRENCY, ms, percentile } from './stats.js';

/** Rounds per arm (each one steady segment and one burst). */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
/** Requests in each round's steady segment. */
export const STEADY = Number(process.env.BENCH_STEADY ?? 100);

/** One prepared request: where, what and how. */
export interface Prepared {
  body: string;
  headers: Record<string, string>;
}

/** What a server child tells its parent. */
export type ChildMessage =
  | { type: 'ready'; url: string; extra?: Record<string, string> }
  | { type: 'marked' }
  | { type: 'drained'; got: number; ms: number };

/** What the parent asks a server child. */
export type ParentMessage = { type: 'mark' } | { type: 'drain'; n: number } | { type: 'stop' };

/** A running arm: its server child and how to talk to it. */
export interface Arm {
  name: string;
  url: string;
  /** What the child reported beside its URL (a stub's address, say). */
  extra: Record<string, string>;
  child: ChildProcess;
  ask(msg: ParentMessage): Promise<ChildMessage>;
}

/**
 * Starts a server child: `script` is run with `args` under the same Node flags (tsx) as this
 * process; it must send `{type: 'ready', url}` and answer mark and drain.
 */
export function startArm(
  name: string,
  script: string,
  args: string[],
  execArgv: string[] = [],
): Promise<Arm> {
  const child = fork(script, args, {
    execArgv: [...process.execArgv, ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: ((m: ChildMessage) => void)[] = [];
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'ready') {
        resolve({
          name,
          url: m.url,
          extra: m.extra ?? {},
          child,
          ask: (msg) =>
            new Promise((r) => {
              waiting.push(r);
              child.send(msg);
            }),
        });
        return;
      }
      waiting.shift()?.(m);
    });
  });
}

/** Stops an arm's child and waits for it to exit. */
export async function stopArm(arm: Arm): Promise<void> {
  if (arm.child.exitCode !== null) return;
  arm.child.removeAllListeners('exit'); // The start-up listener, which would reject.
  const exited = new Promise((r) => arm.child.once('exit', r));
  arm.child.send({ type: 'stop' } satisfies ParentMessage);
  // A server kept open by a keep-alive connection is not worth waiting for.
  const timer = setTimeout(() => arm.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Counts replies a server child has sent, and when the last one went. */
export class ReplyCounter {
  count = 0;
  lastAt = 0;
  /** Records one reply now. */
  tick(): void {
    this.count++;
    this.lastAt = performance.now();
  }
  /** Makes `calls.push` count the calls `isReply` accepts (the stubs record calls by pushing). */
  watch<T>(calls: T[], isReply: (call: T) => boolean): this {
    const push = calls.push.bind(calls);
    calls.push = (...items: T[]) => {
      for (const c of items) if (isReply(c)) this.tick();
      return push(...items);
    };
    return this;
  }
}

/**
 * In a server child: answers the parent's mark/drain/stop. Drain waits (at most 60 s) until
 * `n` replies more than at the mark, then 30 ms with no more (some requests reply twice), and
 * reports when the last one went.
 */
export function serveParent(
  url: string,
  replies: ReplyCounter,
  stop: () => Promise<void>,
  extra: Record<string, string> = {},
): void {
  let mark = 0;
  let markedAt = 0;
  process.on('message', async (m: ParentMessage) => {
    if (m.type === 'mark') {
      mark = replies.count;
      markedAt = performance.now();
      process.send?.({ type: 'marked' } satisfies ChildMessage);
    } else if (m.type === 'drain') {
      const deadline = performance.now() + 60_000;
      while (
        (replies.count - mark < m.n || performance.now() - replies.lastAt < 30) &&
        performance.now() < deadline
      )
        await new Promise((r) => setTimeout(r, 2));
      process.send?.({
        type: 'drained',
        got: replies.count - mark,
        ms: replies.lastAt - markedAt,
      } satisfies ChildMessage);
    } else if (m.type === 'stop') {
      await stop();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', url, extra } satisfies ChildMessage);
}

/** Latencies of one arm in one round. */
interface RoundResult {
  steady: number[];
  burst: number[];
  errors: number;
  /** From the start of the burst until its last reply was posted. */
  drainMs: number;
}

async function send(url: string, p: Prepared, dispatcher: Agent): Promise<[number, boolean]> {
  const t0 = performance.now();
  try {
    const res = await request(url, {
      method: 'POST',
      body: p.body,
      headers: p.headers,
      dispatcher,
    });
    await res.body.dump();
    return [performance.now() - t0, res.statusCode === 200];
  } catch {
    return [performance.now() - t0, false];
  }
}

/**
 * Runs the rounds. `prepare(arm, round, i)` builds request `i` (signed just before sending);
 * `replies` is how many replies each request makes (0: nothing to wait for).
 */
export async function runRounds(
  arms: Arm[],
  prepare: (arm: Arm, tag: string, i: number) => Prepared,
  replies: (arm: Arm) => number,
  opts: { rounds?: number; warmup?: number } = {},
): Promise<Map<string, RoundResult[]>> {
  const rounds = opts.rounds ?? ROUNDS;
  const warmup = opts.warmup ?? 2;
  const results = new Map<string, RoundResult[]>(arms.map((a) => [a.name, []]));
  const agents = new Map(
    arms.map((a) => [a.name, new Agent({ connections: CONCURRENCY, pipelining: 1 })]),
  );
  for (let r = -warmup; r < rounds; r++) {
    // AB, BA, AB...: each arm runs first as often as last.
    const order = r % 2 === 0 ? arms : [...arms].reverse();
    for (const arm of order) {
      const agent = agents.get(arm.name)!;
      const tag = `${r < 0 ? 'w' : 'r'}${Math.abs(r)}`;
      const per = replies(arm);
      let errors = 0;
      // Steady: CONCURRENCY in flight.
      await arm.ask({ type: 'mark' });
      const steady: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < STEADY) {
            const i = next++;
            const [t, ok] = await send(arm.url, prepare(arm, `${tag}s`, i), agent);
            steady.push(t);
            if (!ok) errors++;
          }
        }),
      );
      if (per) await arm.ask({ type: 'drain', n: STEADY * per });
      await new Promise((res) => setTimeout(res, 100));
      // Burst: all at once, prepared (and signed) first so the generator adds nothing between.
      const prepared = Array.from({ length: CONCURRENCY }, (_, i) => prepare(arm, `${tag}b`, i));
      await arm.ask({ type: 'mark' });
      const burst = await Promise.all(prepared.map((p) => send(arm.url, p, agent)));
      for (const [, ok] of burst) if (!ok) errors++;
      const drained = per
        ? ((await arm.ask({ type: 'drain', n: CONCURRENCY * per })) as { ms: number }).ms
        : 0;
      await new Promise((res) => setTimeout(res, 100));
      if (r >= 0)
        results.get(arm.name)!.push({
          steady,
          burst: burst.map(([t]) => t),
          errors,
          drainMs: drained,
        });
    }
  }
  await Promise.all([...agents.values()].map((a) => a.close()));
  return results;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** The three measures, from a set of rounds. */
function measures(rounds: RoundResult[]) {
  const steady = sorted(rounds.flatMap((r) => r.steady));
  const burst = sorted(rounds.flatMap((r) => r.burst));
  return {
    p50: percentile(steady, 50),
    p99: percentile(steady, 99),
    burst99: percentile(burst, 99),
  };
}

/** Ratio a/b of each measure, with a 95% bootstrap interval that resamples rounds in pairs. */
export function ratios(a: RoundResult[], b: RoundResult[], resamples = 1000) {
  const point = measures(a);
  const base = measures(b);
  const keys = ['p50', 'p99', 'burst99'] as const;
  const boot: Record<(typeof keys)[number], number[]> = { p50: [], p99: [], burst99: [] };
  const random = seededRandom(42);
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < resamples; k++) {
    const pick = Array.from({ length: n }, () => Math.floor(random() * n));
    const ma = measures(pick.map((i) => a[i]!));
    const mb = measures(pick.map((i) => b[i]!));
    for (const key of keys) boot[key].push(ma[key] / mb[key]);
  }
  const out = {} as Record<(typeof keys)[number], { ratio: number; lo: number; hi: number }>;
  for (const key of keys) {
    const s = sorted(boot[key]);
    out[key] = { ratio: point[key] / base[key], lo: percentile(s, 2.5), hi: percentile(s, 97.5) };
  }
  return out;
}

/** Prints a plain table. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** Prints, for each arm, its latencies; and for each pair, ours/baseline with intervals. */
export function report(
  results: Map<string, RoundResult[]>,
  pairs: [ours: string, baseline: string][],
): void {
  const rows = [...results].map(([name, rs]) => {
    const m = measures(rs);
    const drain = sorted(rs.map((r) => r.drainMs));
    return [
      name,
      ms(m.p50),
      ms(m.p99),
      ms(m.burst99),
      drain.some((d) => d > 0) ? ms(percentile(drain, 50)) : '-',
      String(rs.reduce((s, r) => s + r.errors, 0)),
    ];
  });
  printTable(
    ['arm', 'p50 ms', 'p99 ms', 'burst p99 ms', 'burst drained ms (median)', 'errors'],
    rows,
  );
  console.log('');
  const f = (x: { ratio: number; lo: number; hi: number }) =>
    `${x.ratio.toFixed(2)}× (${x.lo.toFixed(2)}–${x.hi.toFixed(2)})`;
  printTable(
    ['ratio (95% interval)', 'p50', 'p99', 'burst p99'],
    pairs.map(([a, b]) => {
      const r = ratios(results.get(a) ?? [], results.get(b) ?? []);
      return [`${a} ÷ ${b}`, f(r.p50), f(r.p99), f(r.burst99)];
    }),
  );
}
