/**
 * Starting a checkout's server as it runs in production: `npm start` (the compiled bundle, with
 * the start script's own Node flags and the shipped knowledge) on a free loopback port and a
 * fresh data folder, ready at its first GET /healthz 200. Used by the runtime benchmark and by
 * the Slack and Teams benchmarks' "built" arm.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** A loopback port nothing listens on (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** The checkout's `npm start` command with `flags` added after `node`, to run without npm. */
function startScript(cwd: string, flags: string[]): [string, string[]] {
  const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [node, ...rest] = (pkg.scripts.start ?? '').split(/\s+/);
  if (node !== 'node') throw new Error(`npm start does not run node: ${pkg.scripts.start}`);
  return [process.execPath, [...flags, ...rest]];
}

export interface Started {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  dataDir: string;
  /** From the spawn to the first /healthz 200. */
  readyMs: number;
}

export interface StartOptions {
  /** The command, `['npm', ['start']]` by default. */
  command?: [string, string[]];
  /** Settings beyond PORT and DATA_DIR. */
  env?: Record<string, string>;
  /** Written to a contacts file in the data folder, and named by CONTACTS_FILE. */
  contactsYaml?: string;
  /**
   * Node flags (`--cpu-prof`, say). Node does not take profiling flags from NODE_OPTIONS, so
   * with these the start script's own command is run directly, without npm, flags added.
   */
  nodeFlags?: string[];
  name?: string;
}

/** Spawns the command in `cwd` (its own process group) and waits for /healthz to answer 200. */
export async function startServer(cwd: string, opts: StartOptions = {}): Promise<Started> {
  const dataDir = await mkdtemp(join(tmpdir(), `sca-bench-${opts.name ?? 'server'}-`));
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_OPTIONS: undefined,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: join(dataDir, 'data'),
    ...opts.env,
  };
  if (opts.contactsYaml) {
    env.CONTACTS_FILE = join(dataDir, 'contacts.yaml');
    await writeFile(env.CONTACTS_FILE, opts.contactsYaml);
  }
  const [cmd, args] = opts.nodeFlags
    ? startScript(cwd, opts.nodeFlags)
    : (opts.command ?? ['npm', ['start']]);
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd, env, stdio: 'ignore', detached: true });
  const url = `http://127.0.0.1:${port}`;
  const deadline = t0 + 120_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${opts.name ?? cmd} server exited with ${child.exitCode}`);
    if (performance.now() > deadline) {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
      throw new Error(`${opts.name ?? cmd} server did not answer /healthz within 120 s`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { child, url, dataDir, readyMs: performance.now() - t0 };
}

/** Stops the server's process group (npm, the shell and Node) and removes its data folder. */
export async function stopServer(s: Started): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) {
    const exited = new Promise((res) => s.child.once('exit', res));
    process.kill(-(s.child.pid ?? 0), 'SIGTERM');
    await exited;
  }
  await rm(s.dataDir, { recursive: true, force: true });
}
