/**
 * Teams turn benchmark. Personal-chat questions, 50 at a time over loopback, to (a) our full
 * stack (our handler + CloudAdapter + advisor on real file storage, replies to a loopback
 * connector stub) and (b) a bare CloudAdapter echo bot on the same kind of stub. Bot Framework
 * answers HTTP 200 only after the whole turn, so request latency is turn latency, reply
 * included. Prints p50/p99/max and the ratio ours/bare; asserts nothing.
 *   npx tsx bench/teams.bench.ts        (BENCH_REQUESTS=500 BENCH_CONCURRENCY=50)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { Agent, request } from 'undici';
import { ConnectorStub } from '../test/teams/connector.js';
import { activities, startTeams } from '../test/teams/harness.js';
import { CONCURRENCY, LOAD_QUESTIONS, ms, percentile, REQUESTS, WARMUP } from './stats.js';

const QUESTIONS = LOAD_QUESTIONS;

interface Stats {
  p50: number;
  p99: number;
  max: number;
  errors: number;
  replies: number;
}

/** Sends `n` activities, `CONCURRENCY` in flight, and times each until its HTTP response. */
async function load(
  url: string,
  make: (i: number) => unknown,
  n: number,
  stub: ConnectorStub,
): Promise<Stats> {
  const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });
  const before = stub.calls.length;
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const body = JSON.stringify(make(i));
      const t0 = performance.now();
      const res = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body,
      });
      await res.body.dump();
      times.push(performance.now() - t0);
      if (res.statusCode !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await agent.close();
  times.sort((x, y) => x - y);
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1) ?? Number.NaN,
    errors,
    replies: stub.calls.length - before,
  };
}

/** A bare CloudAdapter that echoes every message: the floor for any Teams bot. */
async function startBare() {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    const shim = {
      socket: undefined,
      status: (code: number) => {
        res.statusCode = code;
      },
      send: (b: unknown) => res.write(typeof b === 'string' ? b : JSON.stringify(b)),
      header: (k: string, v: unknown) => res.setHeader(k, String(v)),
      end: () => res.end(),
    };
    await adapter.process(
      { method: 'POST', headers: req.headers, body: JSON.parse(raw) },
      shim,
      async (ctx) => {
        if (ctx.activity.type === 'message')
          await ctx.sendActivity(`You said: ${ctx.activity.text}`);
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function main(): Promise<void> {
  // Bounded: whatever happens, the run ends within two minutes.
  setTimeout(() => {
    process.stderr.write('Benchmark took too long; stopping.\n');
    process.exit(2);
  }, 115_000).unref();
  process.stdout.write(
    `Teams turn latency, ${REQUESTS} questions, ${CONCURRENCY} concurrent, loopback\n\n`,
  );

  const ours = await startTeams();
  const a = activities(ours.stub.url);
  const question = (run: string) => (i: number) =>
    a.text({ id: `29:${run}-${i % 250}`, name: `User ${i}` }, QUESTIONS[i % QUESTIONS.length]!);
  await load(ours.url.href, question('warm'), WARMUP, ours.stub);
  const o = await load(ours.url.href, question('run'), REQUESTS, ours.stub);
  await ours.close();

  const bareStub = await new ConnectorStub().start();
  const bare = await startBare();
  const b2 = activities(bareStub.url);
  const echo = (run: string) => (i: number) =>
    b2.text({ id: `29:${run}-${i % 250}`, name: `User ${i}` }, QUESTIONS[i % QUESTIONS.length]!);
  await load(bare.url, echo('warm'), WARMUP, bareStub);
  const b = await load(bare.url, echo('run'), REQUESTS, bareStub);
  await bare.close();
  await bareStub.close();

  const row = (label: string, s: Stats) =>
    `${label.padEnd(28)} p50 ${ms(s.p50).padStart(7)} ms   p99 ${ms(s.p99).padStart(7)} ms   max ${ms(s.max).padStart(7)} ms   errors ${s.errors}   replies ${s.replies}`;
  process.stdout.write(
    `${row('ours (advisor + cards)', o)}\n${row('bare CloudAdapter echo', b)}\n`,
  );
  process.stdout.write(
    `\nratio ours/bare: p50 ${(o.p50 / b.p50).toFixed(2)}x, p99 ${(o.p99 / b.p99).toFixed(2)}x\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
