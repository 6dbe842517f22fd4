/**
 * Throw-away PostgreSQL clusters: `initdb` in a temporary folder, `pg_ctl` on a free loopback
 * port, removed afterwards. Debian keeps the binaries in /usr/lib/postgresql/<n>/bin. initdb
 * refuses to run as root, so as root they run as the `postgres` user (`runuser`). The tests use
 * it (test/helpers/pg-cluster.ts), and `npm run db:local` starts one to try the bot against.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The command that installs the binaries on Debian and Ubuntu. */
export const PG_INSTALL_COMMAND = 'apt-get install -y postgresql';

/** Where the binaries are and whom to run them as, or why they cannot be used. */
export type PgBinaries =
  | { ok: true; bin: string; owner?: { uid: number; gid: number } }
  | { ok: false; reason: string };

/** Finds initdb and pg_ctl, newest version first, and the user to run them as. */
export function findPostgres(root = '/usr/lib/postgresql'): PgBinaries {
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const bin = versions
    .map((v) => join(root, v, 'bin'))
    .find((b) => existsSync(join(b, 'initdb')) && existsSync(join(b, 'pg_ctl')));
  if (!bin)
    return {
      ok: false,
      reason: `initdb and pg_ctl were not found under ${root}/*/bin. Install them with: ${PG_INSTALL_COMMAND}`,
    };
  if (process.getuid?.() !== 0) return { ok: true, bin };
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { ok: true, bin, owner: { uid: id('-u'), gid: id('-g') } };
  } catch {
    return {
      ok: false,
      reason: `running as root, and there is no "postgres" user to run initdb as. Install PostgreSQL with: ${PG_INSTALL_COMMAND}`,
    };
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A running throw-away cluster; trust authentication for the `postgres` user on loopback only. */
export interface PgCluster {
  port: number;
  /** The URL of a database on this cluster. */
  url(database: string): string;
  /** Runs one statement as the superuser, in the `postgres` database. */
  admin(sql: string): Promise<void>;
  /** Stops the server and deletes its folder. */
  stop(): Promise<void>;
}

/** Starts a cluster in a new temporary folder; it listens on 127.0.0.1 only. */
export async function startCluster(found: PgBinaries = findPostgres()): Promise<PgCluster> {
  if (!found.ok) throw new Error(`PostgreSQL is not available: ${found.reason}`);
  const { bin, owner } = found;
  const dir = await mkdtemp(join(tmpdir(), 'sca-pg-'));
  if (owner) await chown(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const as = (cmd: string, args: string[]) =>
    owner
      ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args])
      : run(join(bin, cmd), args);
  try {
    await as('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    let port = 0;
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      // fsync off and no full-page writes: the cluster is thrown away, so speed over durability.
      const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -F -c full_page_writes=off -c synchronous_commit=off`;
      try {
        await as('pg_ctl', [
          '-D',
          data,
          '-l',
          join(dir, 'server.log'),
          '-o',
          opts,
          '-w',
          '-t',
          '60',
          'start',
        ]);
        break;
      } catch (err) {
        // Another process may have taken the port between the probe and the start.
        if (attempt >= 2) throw err;
      }
    }
    const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
    return {
      port,
      url,
      admin: async (sql) => {
        const client = new pg.Client({ connectionString: url('postgres') });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      },
      stop: async () => {
        await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
