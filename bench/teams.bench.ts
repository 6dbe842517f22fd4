/**
 * Teams turn benchmark. Personal-chat questions over loopback to two servers, each in its own
 * child process with its own loopback Bot Connector stub, side by side:
 *   built  the server as production runs it: `npm start` (the compiled bundle, the shipped
 *          knowledge, a fresh data folder) with TEAMS_ENABLED=true and no credentials;
 *   ours   our handler + CloudAdapter + advisor on real file storage (answers as cards), from
 *          source under tsx on the test fixtures' knowledge, as test/teams/harness.ts builds it;
 *   echo   a bare CloudAdapter bot that sends one text reply per message.
 * BENCH_BEFORE=/path/to/another/checkout adds "before": that tree's full stack.
 * Bot Framework answers HTTP 200 only after the whole turn, so request latency is turn latency,
 * reply included. Rounds alternate the arms (see compare.ts). Prints p50/p99 (50 in flight),
 * burst p99 (50 at once) and ratios with 95% intervals. Asserts nothing.
 *   npx tsx bench/teams.bench.ts        (BENCH_ROUNDS=10 BENCH_STEADY=100 BENCH_CONCURRENCY=50)
 * BENCH_PROF=ours (or built, echo, before) writes CPU profiles of that server to bench/profiles/
 * (built is then started without npm, the start script's command run directly).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { ConnectorCall } from '../test/teams/connector.js';
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

const isReply = (c: ConnectorCall) => c.method === 'POST' && c.body?.type === 'message';

async function harness(root: string) {
  const h = (await import(
    pathToFileURL(join(root, 'test/teams/harness.ts')).href
  )) as typeof import('../test/teams/harness.js');
  const c = (await import(
    pathToFileURL(join(root, 'test/teams/connector.ts')).href
  )) as typeof import('../test/teams/connector.js');
  return { ...h, ...c };
}

/** A bare CloudAdapter that echoes every message: the floor for any Teams bot. */
async function serveEcho(): Promise<void> {
  const { ConnectorStub } = await harness(ROOT);
  const stub = await new ConnectorStub().start();
  const counter = new ReplyCounter().watch(stub.calls, isReply);
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
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  serveParent(
    url,
    counter,
    async () => {
      server.closeAllConnections();
      server.close();
      await stub.close();
    },
    { serviceUrl: stub.url },
  );
}

/** Our full stack, from the checkout at `root`. */
async function serveOurs(root: string): Promise<void> {
  const { startTeams } = await harness(root);
  const ours = await startTeams();
  const counter = new ReplyCounter().watch(ours.stub.calls, isReply);
  serveParent(ours.url.href, counter, () => ours.close(), { serviceUrl: ours.stub.url });
}

/** The compiled server through `npm start`; replies go to this child's connector stub. */
async function serveBuilt(root: string, profDir?: string): Promise<void> {
  const { ConnectorStub, CONTACT, BACKUP } = await harness(root);
  const stub = await new ConnectorStub().start();
  const counter = new ReplyCounter().watch(stub.calls, isReply);
  const server = await startServer(root, {
    name: 'built',
    env: { TEAMS_ENABLED: 'true' },
    contactsYaml: `primary:\n  name: ${CONTACT.name}\n  teams: "${CONTACT.id}"\nbackup:\n  name: ${BACKUP.name}\n  teams: "${BACKUP.id}"\nackWorkingHours: 4\nreminderMinutes: 60\n`,
    ...(profDir ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] } : {}),
  });
  serveParent(
    `${server.url}/api/messages`,
    counter,
    async () => {
      await stopServer(server);
      await stub.close();
    },
    { serviceUrl: stub.url },
  );
}

async function main(): Promise<void> {
  setTimeout(() => {
    process.stderr.write('Benchmark took too long; stopping.\n');
    process.exit(2);
  }, 600_000).unref();
  const { activities } = await harness(ROOT);
  const before = process.env.BENCH_BEFORE ? resolve(process.env.BENCH_BEFORE) : undefined;
  const prof = process.env.BENCH_PROF;
  const profArgs = (name: string) =>
    prof === name
      ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/profiles', `teams-${name}`)}`]
      : [];
  const builtProf = prof === 'built' ? [join(ROOT, 'bench/profiles', 'teams-built')] : [];
  const arms: Arm[] = [
    await startArm('built', HERE, ['serve', 'built', ROOT, ...builtProf]),
    await startArm('ours', HERE, ['serve', 'ours', ROOT], profArgs('ours')),
    await startArm('echo', HERE, ['serve', 'echo', ROOT], profArgs('echo')),
  ];
  if (before)
    arms.push(await startArm('before', HERE, ['serve', 'ours', before], profArgs('before')));
  console.log(
    `Teams turn latency: personal-chat questions over loopback, ${CONCURRENCY} in flight (steady) and ${CONCURRENCY} at once (burst).`,
  );
  console.log(
    `Node ${process.version}; each server in its own process with its own connector stub; arms alternate each round.`,
  );
  const builders = new Map(arms.map((a) => [a.name, activities(a.extra.serviceUrl ?? '')]));
  const prepare = (arm: Arm, tag: string, i: number): Prepared => {
    const a = builders.get(arm.name)!;
    const activity = a.text(
      { id: `29:${tag}-${i}`, name: `User ${i}` },
      LOAD_QUESTIONS[i % LOAD_QUESTIONS.length]!,
    );
    return { body: JSON.stringify(activity), headers: { 'content-type': 'application/json' } };
  };
  // The reply is part of the turn (HTTP 200 comes after it), so there is nothing to drain.
  const results = await runRounds(arms, prepare, () => 0);
  console.log('');
  report(results, [
    ['built', 'echo'],
    ['ours', 'echo'],
    ...(before
      ? ([
          ['before', 'echo'],
          ['ours', 'before'],
        ] as [string, string][])
      : []),
  ]);
  for (const arm of arms) await stopArm(arm);
  if (prof) console.log(`\nCPU profiles of "${prof}" in bench/profiles/teams-${prof}/.`);
}

const [role, which, root, profDir] = process.argv.slice(2);
if (role === 'serve') {
  const run =
    which === 'built'
      ? serveBuilt(root ?? ROOT, profDir)
      : which === 'ours'
        ? serveOurs(root ?? ROOT)
        : serveEcho();
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
