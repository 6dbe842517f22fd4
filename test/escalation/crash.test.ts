import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import type { Case } from '../../src/escalation/case.js';
import { FileCaseStore } from '../../src/escalation/case-store.js';
import { CaseService } from '../../src/escalation/service.js';
import { silentLogger } from '../../src/logger.js';
import { FileStore } from '../../src/storage/index.js';
import { FakeNotifier, MINUTE, START, tempDir, testContacts } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
const ID = 'SC-2026-0001';

/** Runs the child on `dataDir` and resolves with how it ended and what it printed. */
function runChild(dataDir: string, mode: 'before-send' | 'after-send') {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, mode], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve({ code, signal, out }));
    },
  );
}

const readActive = async (dir: string) =>
  (JSON.parse(await readFile(join(dir, 'cases', 'active.json'), 'utf8')) as { cases: Case[] })
    .cases;

let cleanup: (() => Promise<void>) | undefined;
let store: FileStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
  await cleanup?.();
});

/** Opens the data directory the child left, as the bot does on restart. */
async function recover(dir: string) {
  store = await FileStore.open(dir);
  const clock = fixedClock(new Date(Date.parse(START) + MINUTE));
  const notifier = new FakeNotifier();
  const service = new CaseService({
    cases: await FileCaseStore.open(dir),
    store,
    contacts: testContacts(),
    notifiers: new Map([['web', notifier]]),
    clock,
    logger: silentLogger(),
  });
  return { service, notifier };
}

describe('the outbox under a real crash (SIGKILL in another process)', () => {
  it('killed after the case is stored and before the send: delivered exactly once on restart', async () => {
    const t = await tempDir('sca-crash-');
    cleanup = t.cleanup;
    const { code, signal, out } = await runChild(t.dir, 'before-send');
    expect({ code, signal }, out).toEqual({ code: null, signal: 'SIGKILL' });
    expect(out).not.toContain('survived');

    // What the dead process left: a stale lock, and the case with its message still to send.
    const lock = JSON.parse(await readFile(join(t.dir, '.lock'), 'utf8'));
    expect(lock.pid).not.toBe(process.pid);
    const [left, ...others] = await readActive(t.dir);
    expect(others).toEqual([]);
    expect(left).toMatchObject({ id: ID, status: 'new', source: 'report' });
    expect(left?.notifications).toMatchObject([
      { to: 'primary', kind: 'new-case', status: 'pending', attempts: 0 },
    ]);

    // Restart: the stale lock is taken over, and the outbox delivers the case once.
    const { service, notifier } = await recover(t.dir);
    expect(JSON.parse(await readFile(join(t.dir, '.lock'), 'utf8')).pid).toBe(process.pid);
    expect(await service.deliverPending()).toBe(1);
    expect(await service.deliverPending()).toBe(0);
    expect(notifier.calls.map((c) => c.to)).toEqual(['sec']);
    expect(notifier.calls[0]?.text).toContain(`New case ${ID} for the security contact.`);
    const [after] = await readActive(t.dir);
    expect(after?.notifications).toMatchObject([
      { status: 'sent', attempts: 1, sentAt: '2026-11-27T01:01:00.000Z', messageId: 'm1' },
    ]);
    // The audit line and the id sequence were written before the kill, so ids are not reused.
    const audit = await store!.readAudit();
    expect(audit.filter((e) => e.type === 'case-raised')).toHaveLength(1);
    expect(await store!.nextSequence('SC-2026')).toBe(2);
  });

  it('killed after the send but before it is recorded: sent again on restart (at least once)', async () => {
    const t = await tempDir('sca-crash-');
    cleanup = t.cleanup;
    const { signal, out } = await runChild(t.dir, 'after-send');
    expect(signal, out).toBe('SIGKILL');
    expect(await readFile(join(t.dir, 'sent.log'), 'utf8')).toBe('sec\n');
    expect((await readActive(t.dir))[0]?.notifications[0]?.status).toBe('pending');
    const { service, notifier } = await recover(t.dir);
    await service.deliverPending();
    await service.deliverPending();
    // The outbox cannot know the first send landed, so the restart sends it once more: the
    // contact sees the case twice in all (sent.log + here), never zero times, never more.
    expect(notifier.delivered('sec')).toHaveLength(1);
    expect((await readActive(t.dir))[0]?.notifications[0]).toMatchObject({
      status: 'sent',
      attempts: 1,
    });
  });
});
