/**
 * Local Teams testing with a real client: starts the bot with Teams on (no Microsoft
 * credentials, loopback only) and the Microsoft 365 Agents Playground on it, then opens the
 * playground in the browser. Ctrl+C stops both. See adapters/teams/README.md.
 *
 *   npm run playground:teams
 *   npm run playground:teams -- --port 56150 --bot-port 3979 --data-dir data/playground --no-open
 */
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDotEnv } from '../src/config.js';
import {
  type Child,
  DEFAULT_DATA_DIR,
  DEFAULT_PLAYGROUND_PORT,
  freePort,
  ROOT,
  startBot,
  startPlayground,
} from './playground/launch.js';

const USAGE = `Usage: npm run playground:teams -- [options]
  --port N        the playground's web UI port (default ${DEFAULT_PLAYGROUND_PORT}; a free one if taken)
  --bot-port N    the bot's loopback port (default: any free port)
  --data-dir DIR  the bot's DATA_DIR for this run (default data/playground)
  --no-open       do not open a browser
`;

/** A whole port number from an option, or a message saying what is wrong. */
function portOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`--${name} must be a port number from 0 to 65535; got "${value}".`);
  return n;
}

/** A path inside the project relative to it, anything else in full. */
function shortPath(path: string): string {
  const rel = relative(ROOT, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'bot-port': { type: 'string' },
      'data-dir': { type: 'string' },
      'no-open': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  const uiPort = portOption('port', values.port, DEFAULT_PLAYGROUND_PORT);
  const botPort = portOption('bot-port', values['bot-port'], 0) || (await freePort());
  const dataDir = values['data-dir'] ? resolve(values['data-dir']) : DEFAULT_DATA_DIR;
  await mkdir(dataDir, { recursive: true });

  // Read .env here too, only to say which of its settings this run ignores.
  loadDotEnv(join(ROOT, '.env'));
  if (process.env.MicrosoftAppId)
    process.stdout.write('MicrosoftAppId is set, but this run ignores it: see below.\n');
  if (process.env.SLACK_BOT_TOKEN) process.stdout.write('Slack stays off for this run.\n');

  const children: Child[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of [...children].reverse()) await child.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const bot = await startBot({ port: botPort, dataDir, echo: true });
  children.push(bot.child);
  const playground = await startPlayground({
    endpoint: bot.endpoint,
    port: uiPort,
    openBrowser: !values['no-open'],
    logFile: join(dataDir, 'agentsplayground.log'),
    echo: false,
  }).catch(async (err) => {
    await bot.child.stop();
    throw err;
  });
  children.push(playground.child);
  for (const child of children) {
    void child.exited.then((code) => {
      if (stopping) return;
      process.stderr.write(`\nThe ${child.name} stopped (exit ${code}):\n${child.output()}\n`);
      void stopAll(1);
    });
  }

  const page = `http://localhost:${playground.port}/`;
  process.stdout.write(
    [
      '',
      `Microsoft 365 Agents Playground: ${page}`,
      `  It talks to the bot at ${bot.endpoint.href} as a Teams client (channel msteams).`,
      '  The bot runs with Teams on and WITHOUT authentication (no MicrosoftAppId), on loopback only,',
      `  with Slack off and its data in ${shortPath(dataDir)}.`,
      `  Warning: the playground listens on ALL network interfaces (port ${playground.port}) and has`,
      '  no login. Anyone who can reach this machine on that port can talk to the bot through it.',
      '  Use it on a trusted network or behind a firewall.',
      '  Press Ctrl+C to stop both.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`\nnpm run playground:teams failed: ${(err as Error)?.message ?? err}\n`);
  process.exit(1);
});
