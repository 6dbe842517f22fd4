/**
 * Slack ack benchmark. Signed `/pretrip` slash commands and `message.im` events over loopback to
 * four servers, each in its own child process with its own Web API stub, side by side:
 *   built     the server as production runs it: `npm start` (the compiled bundle, the shipped
 *             knowledge, a fresh data folder), Slack on in HTTP mode against the arm's stub;
 *   ours      the full stack from source under tsx, on the test fixtures' knowledge (WebServer +
 *             Slack adapter + advisor on real file storage, as test/slack/harness.ts builds it);
 *   echo      a bare Bolt app that acks, then posts one reply (the fair floor: it does the
 *             same Slack work per request as ours, without the advisor);
 *   ack-only  a bare Bolt app that only acks (the old baseline, kept as a second line).
 * BENCH_BEFORE=/path/to/another/checkout adds a fifth arm, "before": that tree's full stack.
 * Rounds alternate the arms (see compare.ts). Prints p50/p99 (50 in flight), burst p99 (50 at
 * once), how long each burst's replies took, and ratios with 95% intervals. Asserts nothing.
 *   npx tsx bench/slack.bench.ts        (BENCH_ROUNDS=10 BENCH_STEADY=100 BENCH_CONCURRENCY=50)
 * BENCH_PROF=ours (or built, echo, before) writes a CPU profile of that server to bench/profiles/
 * (built is then started without npm, the start script's command run directly).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { ApiCall, SlackApiStub } from '../test/slack/stub.js';
import { startServer, stopServer } from './built.js';
import {
  type Arm,
  type Prepared,
  ReplyCounter,
  report,
  runRounds,
  serveParent,
  startArm,
  stopArm,
} from './compare.js';
import { CONCURRENCY, LOAD_QUESTIONS } from './stats.js';

const HERE = fileURLToPath(import.meta.url);
const ROOT = resolve(HERE, '../..');
const FORM = 'application/x-www-form-urlencoded';
type Kind = 'slash' | 'message';

/** A post the user sees (not the "Working on it…" note). */
const isReply = (c: ApiCall) => c.method === 'chat.postMessage' && c.body.text !== 'Working on it…';

/** The raw body of request `i`: a distinct user and event id per request. */
function body(kind: Kind, tag: string, i: number): [string, string] {
  const user = `U${tag.toUpperCase()}X${String(i).padStart(4, '0')}`;
  if (kind === 'slash') {
    const form = new URLSearchParams({
      team_id: 'T1',
      channel_id: 'C0GENERAL',
      user_id: user,
      user_name: user.toLowerCase(),
      command: '/pretrip',
      text: '',
      api_app_id: 'A0APP',
      trigger_id: `trig.${tag}${i}`,
      response_url: 'http://127.0.0.1:9/response',
    });
    return [form.toString(), FORM];
  }
  const ts = `${1_700_000_000 + i}.000100`;
  const json = JSON.stringify({
    team_id: 'T1',
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: `Ev${tag}${i}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'message',
      channel_type: 'im',
      channel: `D${user.slice(1)}`,
      user,
      team: 'T1',
      text: LOAD_QUESTIONS[i % LOAD_QUESTIONS.length],
      ts,
      event_ts: ts,
    },
  });
  return [json, 'application/json'];
}

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

/** A bare Bolt app on its own server: acks, and (unless ack-only) posts one reply. */
async function serveBare(reply: boolean, stubModule: string): Promise<void> {
  const { SlackApiStub: Stub, SIGNING_SECRET } = await loadHarness(stubModule);
  const stub = await Stub.start();
  const counter = new ReplyCounter().watch(stub.calls, isReply);
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
    clientOptions: { slackApiUrl: stub.apiUrl, retryConfig: { retries: 0 } },
  });
  app.command('/pretrip', async ({ ack, command, client }) => {
    await ack({ response_type: 'ephemeral', text: 'Starting your pre-trip checklist.' });
    if (reply) await client.chat.postMessage({ channel: command.user_id, text: 'Echo: pretrip' });
  });
  app.message(async ({ message, client }) => {
    const m = message as { channel: string; text?: string };
    if (reply) await client.chat.postMessage({ channel: m.channel, text: `Echo: ${m.text}` });
  });
  const server = createServer(receiver.requestListener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  serveParent(url, counter, async () => {
    server.closeAllConnections();
    server.close();
    await stub.close();
  });
}

/** Our full stack, from the checkout at `root` (this one, or BENCH_BEFORE's). */
async function serveOurs(root: string): Promise<void> {
  const { startSlackStack } = (await import(
    pathToFileURL(join(root, 'test/slack/harness.ts')).href
  )) as typeof import('../test/slack/harness.js');
  const stack = await startSlackStack();
  const counter = new ReplyCounter().watch((stack.stub as SlackApiStub).calls, isReply);
  serveParent(new URL('/slack/events', stack.url).href, counter, () => stack.close());
}

/** The compiled server through `npm start`, with Slack pointed at this child's Web API stub. */
async function serveBuilt(root: string, profDir?: string): Promise<void> {
  const { SlackApiStub: Stub, SIGNING_SECRET, CONTACTS_YAML } = await loadHarness(root);
  const stub = await Stub.start();
  const counter = new ReplyCounter().watch(stub.calls, isReply);
  const server = await startServer(root, {
    name: 'built',
    env: {
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: stub.apiUrl,
    },
    contactsYaml: CONTACTS_YAML,
    ...(profDir ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] } : {}),
  });
  serveParent(`${server.url}/slack/events`, counter, async () => {
    await stopServer(server);
    await stub.close();
  });
}

async function loadHarness(root: string) {
  const harness = (await import(
    pathToFileURL(join(root, 'test/slack/harness.ts')).href
  )) as typeof import('../test/slack/harness.js');
  const stub = (await import(
    pathToFileURL(join(root, 'test/slack/stub.ts')).href
  )) as typeof import('../test/slack/stub.js');
  return { ...harness, ...stub };
}

async function main(): Promise<void> {
  setTimeout(() => {
    process.stderr.write('Benchmark took too long; stopping.\n');
    process.exit(2);
  }, 600_000).unref();
  const { signedHeaders, SIGNING_SECRET } = await loadHarness(ROOT);
  const before = process.env.BENCH_BEFORE ? resolve(process.env.BENCH_BEFORE) : undefined;
  const prof = process.env.BENCH_PROF;
  const profArgs = (name: string) =>
    prof === name
      ? // One file per thread (tsx's loader has its own); the largest is the server's.
        ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/profiles', `slack-${name}`)}`]
      : [];
  const builtProf = prof === 'built' ? [join(ROOT, 'bench/profiles', 'slack-built')] : [];
  const arms: Arm[] = [
    await startArm('built', HERE, ['serve', 'built', ROOT, ...builtProf]),
    await startArm('ours', HERE, ['serve', 'ours', ROOT], profArgs('ours')),
    await startArm('echo', HERE, ['serve', 'echo', ROOT], profArgs('echo')),
    await startArm('ack-only', HERE, ['serve', 'ack', ROOT]),
  ];
  if (before)
    arms.push(await startArm('before', HERE, ['serve', 'ours', before], profArgs('before')));
  console.log(
    `Slack ack latency: signed requests over loopback, ${CONCURRENCY} in flight (steady) and ${CONCURRENCY} at once (burst).`,
  );
  console.log(
    `Node ${process.version}; each server in its own process with its own Web API stub; arms alternate each round.\n`,
  );
  const pairs: [string, string][] = [
    ['built', 'echo'],
    ['ours', 'echo'],
    ['ours', 'ack-only'],
    ...(before
      ? ([
          ['before', 'echo'],
          ['ours', 'before'],
        ] as [string, string][])
      : []),
  ];
  for (const kind of ['slash', 'message'] as const) {
    const prepare = (_arm: Arm, tag: string, i: number): Prepared => {
      const [raw, type] = body(kind, tag, i);
      return { body: raw, headers: signedHeaders(SIGNING_SECRET, raw, type) };
    };
    const results = await runRounds(arms, prepare, (arm) => (arm.name === 'ack-only' ? 0 : 1));
    console.log(`\n${kind === 'slash' ? '/pretrip' : 'message.im'}`);
    report(results, pairs);
  }
  for (const arm of arms) await stopArm(arm);
  if (prof) console.log(`\nCPU profile of "${prof}" in bench/profiles/slack-${prof}/.`);
}

const [role, which, root, profDir] = process.argv.slice(2);
if (role === 'serve') {
  const run =
    which === 'built'
      ? serveBuilt(root ?? ROOT, profDir)
      : which === 'ours'
        ? serveOurs(root ?? ROOT)
        : serveBare(which === 'echo', root ?? ROOT);
  run.catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
