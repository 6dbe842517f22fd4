/**
 * Slack ack benchmark. Signed /pretrip slash commands and message.im events, 50 at a time over
 * loopback, to (a) our full stack (WebServer + Slack adapter + advisor on real file storage,
 * Web API on a loopback stub) and (b) a bare Bolt app (HTTPReceiver, processBeforeResponse
 * off) that only acks. Prints ack latency p50/p99/max per kind, the ratio ours/bare, and for
 * ours how long until every DM reply reached the stub. Prints figures; asserts nothing.
 *   npx tsx bench/slack.bench.ts        (BENCH_REQUESTS=500 BENCH_CONCURRENCY=50)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { Agent, request } from 'undici';
import { SIGNING_SECRET, signedHeaders, startSlackStack } from '../test/slack/harness.js';
import type { SlackApiStub } from '../test/slack/stub.js';
import { CONCURRENCY, LOAD_QUESTIONS, ms, percentile, REQUESTS, WARMUP } from './stats.js';

const QUESTIONS = LOAD_QUESTIONS;
const FORM = 'application/x-www-form-urlencoded';

type Kind = 'slash' | 'message';
interface Stats {
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

/** The raw body of request `i` of a kind, for distinct users and event ids. */
function body(kind: Kind, run: string, i: number): [string, string] {
  const user = `U${run}${String(i).padStart(5, '0')}`;
  if (kind === 'slash') {
    const form = new URLSearchParams({
      team_id: 'T1',
      channel_id: 'C0GENERAL',
      user_id: user,
      user_name: user.toLowerCase(),
      command: '/pretrip',
      text: '',
      api_app_id: 'A0APP',
      trigger_id: `trig.${run}${i}`,
      response_url: 'http://127.0.0.1:9/response',
    });
    return [form.toString(), FORM];
  }
  const ts = `${1_700_000_000 + i}.000100`;
  const json = JSON.stringify({
    team_id: 'T1',
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: `Ev${run}${i}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'message',
      channel_type: 'im',
      channel: `D${user.slice(1)}`,
      user,
      team: 'T1',
      text: QUESTIONS[i % QUESTIONS.length],
      ts,
      event_ts: ts,
    },
  });
  return [json, 'application/json'];
}

/** Sends `n` signed requests, `CONCURRENCY` in flight; resolves with sorted ack latencies. */
async function load(url: URL, kind: Kind, run: string, n: number, dispatcher: Agent) {
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const [raw, type] = body(kind, run, i);
      const t0 = performance.now();
      try {
        const res = await request(url, {
          method: 'POST',
          body: raw,
          headers: signedHeaders(SIGNING_SECRET, raw, type),
          dispatcher,
        });
        await res.body.text();
        if (res.statusCode !== 200) errors++;
      } catch {
        errors++;
      }
      times.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { times: times.sort((a, b) => a - b), errors };
}

/**
 * The load generator runs in a child process, so its own work does not queue behind the
 * servers' on one event loop. It warms up (same connections), pauses, prints "go", runs,
 * and prints the figures as JSON.
 */
async function client(url: string, kind: Kind, run: string): Promise<void> {
  const dispatcher = new Agent({ connections: CONCURRENCY, pipelining: 1 });
  await load(new URL(url), kind, `W${run}`, WARMUP, dispatcher);
  await new Promise((r) => setTimeout(r, 1500));
  process.stdout.write('go\n');
  const { times, errors } = await load(new URL(url), kind, run, REQUESTS, dispatcher);
  await dispatcher.close();
  const stats: Stats = {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1) ?? Number.NaN,
    errors,
  };
  process.stdout.write(`${JSON.stringify(stats)}\n`);
}

/** Runs one load in a child process; `onGo` fires when the measured run starts. */
function loadInChild(url: URL, kind: Kind, run: string, onGo: () => void): Promise<Stats> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), 'client', url.href, kind, run],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    let went = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!went && out.startsWith('go\n')) {
        went = true;
        onGo();
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const json = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && json) resolve(JSON.parse(json) as Stats);
      else reject(new Error(`load generator exited with ${code}: ${out}`));
    });
  });
}

/** A Bolt app that only acks, on its own loopback server. */
async function startBare(apiUrl: string) {
  const quiet = {
    debug() {},
    info() {},
    warn() {},
    error() {},
    setLevel() {},
    getLevel: () => LogLevel.ERROR,
    setName() {},
  };
  const receiver = new HTTPReceiver({
    signingSecret: SIGNING_SECRET,
    processBeforeResponse: false,
    logger: quiet,
  });
  const app = new App({
    token: 'xoxb-test',
    receiver,
    botId: 'B0BOT',
    botUserId: 'U0BOT',
    tokenVerificationEnabled: false,
    logger: quiet,
    clientOptions: { slackApiUrl: apiUrl },
  });
  app.command('/pretrip', async ({ ack }) => {
    await ack({ response_type: 'ephemeral', text: 'Starting your pre-trip checklist.' });
  });
  app.message(async () => {});
  const server = createServer(receiver.requestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Replies (not "Working on it…" notes) the stub has accepted since `mark`. */
const replies = (stub: SlackApiStub, mark: number) =>
  stub.posts(undefined, mark).filter((c) => c.body.text !== 'Working on it…');

/** Waits (at most a minute) until the stub has seen `n` replies since `mark`. */
async function drained(stub: SlackApiStub, mark: number, n: number): Promise<number> {
  const deadline = performance.now() + 60_000;
  while (replies(stub, mark).length < n && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 5));
  return replies(stub, mark).length;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const ours = await startSlackStack();
  const bare = await startBare(ours.stub.apiUrl);
  console.log(
    `Slack ack latency, ${REQUESTS} signed requests per kind, ${CONCURRENCY} concurrent, loopback.`,
  );
  console.log(
    `Node ${process.version}. Ours: full stack on file storage. Bare: Bolt ack only. The load`,
  );
  console.log(
    `generator is a child process (${WARMUP} warm-up requests on the same connections first).\n`,
  );
  const rows: string[][] = [];
  for (const kind of ['slash', 'message'] as const) {
    const b = await loadInChild(bare.url, kind, 'B', () => {});
    const mark = ours.stub.mark();
    let started = 0;
    const o = await loadInChild(ours.slack.url, kind, kind === 'slash' ? 'S' : 'M', () => {
      started = performance.now();
    });
    const got = (await drained(ours.stub, mark, WARMUP + REQUESTS)) - WARMUP;
    const doneMs = performance.now() - started;
    const working = ours.stub.posts(undefined, mark).length - got - WARMUP;
    rows.push([
      kind === 'slash' ? '/pretrip' : 'message.im',
      `${ms(b.p50)} / ${ms(b.p99)} / ${ms(b.max)}`,
      `${ms(o.p50)} / ${ms(o.p99)} / ${ms(o.max)}`,
      `${(o.p50 / b.p50).toFixed(1)}× / ${(o.p99 / b.p99).toFixed(1)}×`,
      `${b.errors}/${o.errors}`,
      `${(doneMs / 1000).toFixed(2)} s (${got}/${REQUESTS}, ${working} "Working on it…")`,
    ]);
  }
  const header = [
    'kind',
    'bare p50/p99/max ms',
    'ours p50/p99/max ms',
    'ours/bare p50 / p99',
    'errors b/o',
    'ours: all DMs posted after',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  await bare.close();
  await ours.close();
  console.log(`\nTotal ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
}

if (process.argv[2] === 'client') {
  const [url, kind, run] = process.argv.slice(3);
  client(url ?? '', kind as Kind, run ?? 'X').catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
