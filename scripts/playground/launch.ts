/**
 * Starts the bot with Teams on and the Microsoft 365 Agents Playground in front of it, as two
 * child processes. Used by scripts/playground-teams.ts (`npm run playground:teams`) and by the
 * playground browser test, so both run the bot the same way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the bot's working directory, where its `.env` is read. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Playground state (conversation references with its loopback service URL) stays apart. */
export const DEFAULT_DATA_DIR = join(ROOT, 'data', 'playground');
/** The playground's own default port; it picks a free one when this is taken. */
export const DEFAULT_PLAYGROUND_PORT = 56150;

/**
 * Settings forced on the bot. No Microsoft credentials: the playground sends no token unless
 * given a client secret, and checking one needs Microsoft's servers. Loopback only, because the
 * endpoint is then unauthenticated. Slack off, so a second copy never joins the real Socket
 * Mode connection. An empty value beats `.env` and reads as "not set".
 */
export const FORCED_BOT_ENV: Readonly<Record<string, string>> = {
  TEAMS_ENABLED: 'true',
  HOST: '127.0.0.1',
  MicrosoftAppId: '',
  MicrosoftAppPassword: '',
  MicrosoftAppTenantId: '',
  MicrosoftAppType: '',
  SLACK_BOT_TOKEN: '',
  SLACK_APP_TOKEN: '',
  SLACK_SIGNING_SECRET: '',
};

/** A child process that keeps its last lines of output for error messages. */
export class Child {
  readonly exited: Promise<number | null>;
  private readonly tail: string[] = [];

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
    echo: boolean,
  ) {
    const keep = (chunk: Buffer, out: NodeJS.WriteStream) => {
      if (echo) out.write(chunk);
      this.tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      this.tail.splice(0, Math.max(0, this.tail.length - 40));
    };
    proc.stdout?.on('data', (c: Buffer) => keep(c, process.stdout));
    proc.stderr?.on('data', (c: Buffer) => keep(c, process.stderr));
    this.exited = new Promise((r) => proc.once('exit', (code, signal) => r(signal ? null : code)));
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The last lines it printed, for a message that says why it stopped. */
  output(): string {
    return this.tail.join('\n');
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Options for startBot. */
export interface BotOptions {
  /** Loopback port for the bot (web chat and /api/messages). */
  port: number;
  /** DATA_DIR for this run. */
  dataDir: string;
  /** Extra environment; FORCED_BOT_ENV still wins. */
  env?: Record<string, string | undefined>;
  /** Copy the bot's log to this process's stdout and stderr. */
  echo: boolean;
  /** How long to wait for /healthz. */
  timeoutMs?: number;
}

/** A running bot and its Teams endpoint. */
export interface RunningBot {
  child: Child;
  endpoint: URL;
}

/** Starts `src/main.ts` with Teams on and waits until it answers /healthz. */
export async function startBot(opts: BotOptions): Promise<RunningBot> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...opts.env,
      PORT: String(opts.port),
      DATA_DIR: opts.dataDir,
      ...FORCED_BOT_ENV,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = new Child('bot', proc, opts.echo);
  const base = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(`The bot stopped before it was ready:\n${child.output()}`);
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, endpoint: new URL('/api/messages', base) };
    await new Promise((r) => setTimeout(r, 200));
  }
  await child.stop();
  throw new Error(`The bot did not answer ${base}/healthz in time:\n${child.output()}`);
}

/** Options for startPlayground. */
export interface PlaygroundOptions {
  /** The bot's /api/messages. */
  endpoint: URL;
  /** Port for the playground's web UI; 0 for any free one. */
  port: number;
  /** Let the playground open the system browser on its page. */
  openBrowser: boolean;
  /** Its log file (it otherwise writes ./devTools/m365agentsplayground.log). */
  logFile: string;
  /** Copy its output to this process's stdout and stderr. */
  echo: boolean;
  timeoutMs?: number;
}

/** A running playground and the port it actually took. */
export interface RunningPlayground {
  child: Child;
  port: number;
  /** Its page, on loopback. */
  url: URL;
}

/** Resolves the playground's CLI, with a message that says what to install if it is missing. */
export function playgroundCli(): string {
  try {
    return createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/cli.js');
  } catch (err) {
    throw new Error(
      '@microsoft/m365agentsplayground is not installed. Run npm install (it is a dev dependency).',
      { cause: err },
    );
  }
}

/** Starts the playground CLI on the bot, as a Teams client, and waits for its port. */
export async function startPlayground(opts: PlaygroundOptions): Promise<RunningPlayground> {
  const args = [
    playgroundCli(),
    ...['--app-endpoint', opts.endpoint.href, '--channel-id', 'msteams'],
    ...['--port', String(opts.port), '--disable-telemetry'],
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, M365_AGENTS_PLAYGROUND_LOGFILE: opts.logFile };
  if (!opts.openBrowser) env.TEAMSAPPTESTER_BROWSER = 'none';
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const child = new Child('playground', proc, opts.echo);
  // With stdout not a terminal it prints exactly this line once it is listening. The port can
  // differ from the one asked for: it quietly takes a free one when that is in use.
  const port = await new Promise<number>((resolvePort, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => done(new Error('it printed no port in time')),
      opts.timeoutMs ?? 30_000,
    );
    const onData = (c: Buffer) => {
      seen += c.toString('utf8');
      const m = /Listening on (\d+)/.exec(seen);
      if (m) done(undefined, Number(m[1]));
    };
    const onExit = () => done(new Error('it stopped'));
    function done(err?: Error, value?: number) {
      clearTimeout(timer);
      proc.stdout?.off('data', onData);
      proc.off('exit', onExit);
      if (err) reject(new Error(`The playground did not start: ${err.message}\n${child.output()}`));
      else resolvePort(value as number);
    }
    proc.stdout?.on('data', onData);
    proc.once('exit', onExit);
  }).catch(async (err) => {
    await child.stop();
    throw err;
  });
  return { child, port, url: new URL(`http://127.0.0.1:${port}/`) };
}
