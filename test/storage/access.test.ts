import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdvisor } from '../../src/app.js';
import { fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { isAdvisorError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { runShutdown } from '../../src/shutdown.js';
import { dataDirError } from '../../src/storage/access.js';
import { FileStore } from '../../src/storage/index.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sca-access-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A logger whose JSON lines the test can read. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

/** An errno error as node:fs raises it. */
const fsError = (code: string) =>
  Object.assign(new Error(`${code}: operation failed, open '/srv/data/.lock'`), { code });

describe('a data folder that cannot be written', () => {
  it('maps EROFS, EACCES and ENOTDIR to storage_unwritable, naming the folder and the fix', () => {
    const rofs = dataDirError(fsError('EROFS'), 'data');
    expect(isAdvisorError(rofs, 'storage_unwritable')).toBe(true);
    expect((rofs as Error).message).toBe(
      `The data folder ${resolve('data')} is on a read-only file system (EROFS), so conversations, cases and the audit log cannot be saved. Set DATA_DIR to a writable folder, or mount this one read-write (in a container, a writable volume).`,
    );
    expect((rofs as Error).cause).toMatchObject({ code: 'EROFS' });
    expect((dataDirError(fsError('EACCES'), '/srv/data') as Error).message).toMatch(
      /^The data folder \/srv\/data is not writable by the user running Sister City Advisor \(EACCES\).* give the user write permission on it/,
    );
    // Anything else is not a permissions problem, and is passed on as it was.
    const other = fsError('EMFILE');
    expect(dataDirError(other, 'data')).toBe(other);
  });

  it('stops FileStore.open with the coded error, not a raw stack trace', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'not-a-folder'), 'a file');
    const err = await FileStore.open(join(dir, 'not-a-folder', 'data')).catch((e: unknown) => e);
    expect(isAdvisorError(err, 'storage_unwritable')).toBe(true);
    expect((err as Error).message).toContain(
      `${join(dir, 'not-a-folder', 'data')} cannot be created`,
    );
  });

  it('refuses a folder the user may not write (EACCES)', async (ctx) => {
    const dir = await tempDir();
    const { chmod } = await import('node:fs/promises');
    if (process.getuid?.() !== 0) {
      await chmod(dir, 0o500);
      const err = await FileStore.open(dir).catch((e: unknown) => e);
      await chmod(dir, 0o700);
      expect(isAdvisorError(err, 'storage_unwritable')).toBe(true);
      expect((err as Error).message).toContain('(EACCES)');
      return;
    }
    // Root may write anywhere, so open the folder as the unprivileged user "nobody" (when
    // nobody can read this checkout; a private home folder cannot be).
    await chmod(dir, 0o755);
    const readable = spawnSync(
      process.execPath,
      [
        '-e',
        'require("fs").readFileSync(process.argv[1])',
        fileURLToPath(new URL('../../package.json', import.meta.url)),
      ],
      { uid: 65534, gid: 65534 },
    );
    if (readable.status !== 0) ctx.skip();
    const script = join(dir, 'open.mts');
    const store = fileURLToPath(new URL('../../src/storage/index.ts', import.meta.url));
    await writeFile(
      script,
      `import { FileStore } from ${JSON.stringify(store)};\nawait FileStore.open(${JSON.stringify(dir)}).then(() => console.log('opened'), (e) => console.log(e.code, e.message));\n`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      uid: 65534,
      gid: 65534,
      env: { ...process.env, HOME: dir },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stdout).toMatch(
      new RegExp(`^storage_unwritable The data folder ${dir} is not writable .* \\(EACCES\\)`),
    );
  });

  it('makes the start-up message say what to do, with exit code 1', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'a file');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
        DATA_DIR: join(dir, 'file', 'data'),
        PORT: '0',
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('could not start [storage_unwritable]');
    expect(run.stderr).toContain(`The data folder ${join(dir, 'file', 'data')} cannot be created`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('shutdown never crashes', () => {
  it('runs every step, logging one that throws, rejects or hangs', async () => {
    const { logger, lines } = capture();
    const ran: string[] = [];
    const clean = await runShutdown(
      [
        {
          name: 'throws',
          run: () => {
            ran.push('throws');
            throw new Error('boom');
          },
        },
        {
          name: 'rejects',
          run: async () => {
            ran.push('rejects');
            throw new Error('nope');
          },
        },
        {
          name: 'hangs',
          run: () => {
            ran.push('hangs');
            return new Promise(() => {});
          },
          timeoutMs: 20,
        },
        {
          name: 'storage',
          run: async () => {
            ran.push('storage');
          },
        },
      ],
      logger,
    );
    expect(clean).toBe(false);
    expect(ran).toEqual(['throws', 'rejects', 'hangs', 'storage']);
    expect(lines.map((l) => [l.step, l.msg])).toEqual([
      ['throws', 'shutdown step failed; carrying on'],
      ['rejects', 'shutdown step failed; carrying on'],
      ['hangs', 'shutdown step timed out; carrying on'],
    ]);
    expect(await runShutdown([{ name: 'fine', run: () => undefined }], logger)).toBe(true);
  });

  it('logs and carries on when the lock file cannot be removed; the data is saved', async () => {
    const dir = await tempDir();
    const { logger, lines } = capture();
    const config = loadConfig({
      KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
      DATA_DIR: dir,
      ESCALATION_ENABLED: 'false',
    });
    const advisor = await createAdvisor(config, logger, {
      clock: fixedClock('2026-11-27T01:00:00Z'),
    });
    await advisor.bot.handle({
      user: { platform: 'web', id: 'u1' },
      conversation: { id: 'c', kind: 'direct' },
      text: 'pretrip',
    });
    // A lock that cannot be removed: a folder with something in it where the file was.
    await rm(join(dir, '.lock'));
    await mkdir(join(dir, '.lock'));
    await writeFile(join(dir, '.lock', 'x'), '');
    await expect(advisor.close()).resolves.toBeUndefined();
    const failed = lines.find((l) => l.msg === 'shutdown step failed; carrying on');
    expect(failed).toMatchObject({ step: 'storage', err: { code: 'storage_unwritable' } });
    expect(JSON.stringify(failed?.err)).toContain(
      `Could not remove the lock file ${join(dir, '.lock')}`,
    );
    await rm(join(dir, '.lock'), { recursive: true });
    const again = await FileStore.open(dir);
    expect((await again.getConversation('web:-:u1'))?.flow?.name).toBe('checklist');
    await again.close();
  });

  it('the running bot exits 0 on SIGTERM even when its lock file cannot be removed', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
        DATA_DIR: dir,
        PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await new Promise<void>((ready, fail) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('is ready')) ready();
      });
      child.on('exit', () => fail(new Error(`exited early: ${err}`)));
    });
    await rm(join(dir, '.lock'));
    await mkdir(join(dir, '.lock'));
    await writeFile(join(dir, '.lock', 'x'), '');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('Could not remove the lock file');
    expect(out).toContain('"msg":"stopped"');
    expect(err).toBe('');
  });
});
