import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { Scheduler } from '../../src/scheduler.js';
import { ConversationLog } from '../../src/storage/conversations.js';
import { type ConversationState, FileStore, MemoryStore } from '../../src/storage/index.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sca-conv-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A checklist run at its first step, shaped as the flow saves it. */
const running = (updatedAt: string): ConversationState => ({
  updatedAt,
  flow: {
    name: 'checklist',
    data: {
      checklist: 'pretrip',
      startedAt: updatedAt,
      updatedAt,
      answers: { 'visit-type': 'outbound' },
      history: ['visit-type'],
    },
  },
});
const lines = async (file: string) =>
  (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;

describe('conversation state in conversations.jsonl', () => {
  it('a write costs one short line however many users there are', async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    await Promise.all(
      Array.from({ length: 20_000 }, (_, i) =>
        store.setConversation(`web:-:u${i}`, running('2026-11-01T00:00:00.000Z')),
      ),
    );
    const file = join(dir, 'conversations.jsonl');
    const before = (await stat(file)).size;
    await store.setConversation('web:-:new', running('2026-11-27T01:00:00.000Z'));
    const written = (await stat(file)).size - before;
    expect(written).toBe(
      `${JSON.stringify({ k: 'web:-:new', s: running('2026-11-27T01:00:00.000Z') })}\n`.length,
    );
    expect(written).toBeLessThan(400);
    // state.json holds no conversations, so writing ids or jobs does not rewrite them either.
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
    await store.close();
  });

  it('comes back after a restart, forgotten users included', async () => {
    const dir = await tempDir();
    const first = await FileStore.open(dir);
    await first.setConversation('web:-:a', running('2026-11-01T00:00:00.000Z'));
    await first.setConversation('web:-:b', { updatedAt: '2026-11-02T00:00:00.000Z' });
    await first.setConversation('web:-:a', { updatedAt: '2026-11-03T00:00:00.000Z' });
    await first.setConversation('web:-:b', undefined);
    await first.close();
    const second = await FileStore.open(dir);
    expect(await second.getConversation('web:-:a')).toEqual({
      updatedAt: '2026-11-03T00:00:00.000Z',
    });
    expect(await second.getConversation('web:-:b')).toBeUndefined();
    await second.close();
  });

  it('is rewritten once it holds many more lines than users, so it stays bounded', async () => {
    const dir = await tempDir();
    const file = join(dir, 'conversations.jsonl');
    const log = await ConversationLog.open(file);
    for (let i = 0; i < 5000; i++)
      await log.set(`web:-:u${i % 10}`, { updatedAt: String(i).padStart(5, '0') });
    await log.flush();
    expect(await lines(file)).toBeLessThanOrEqual(2 * 10 + 1000 + 1);
    const reread = await ConversationLog.open(file);
    expect(reread.size).toBe(10);
    expect(reread.get('web:-:u9')).toEqual({ updatedAt: '04999' });
  });

  it('skips a torn last line after a crash and writes the file clean', async () => {
    const dir = await tempDir();
    const file = join(dir, 'conversations.jsonl');
    const log = await ConversationLog.open(file);
    await log.set('web:-:a', { updatedAt: '1' });
    await log.flush();
    await appendFile(file, '{"k":"web:-:b","s":{"upd');
    const reread = await ConversationLog.open(file);
    expect(reread.get('web:-:a')).toEqual({ updatedAt: '1' });
    expect(reread.size).toBe(1);
    expect(await readFile(file, 'utf8')).toBe('{"k":"web:-:a","s":{"updatedAt":"1"}}\n');
  });

  it('moves the conversations of an older state.json into the journal', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'state.json'),
      JSON.stringify({
        schemaVersion: 2,
        conversations: { 'web:-:a': running('2026-11-01T00:00:00.000Z') },
        counters: { 'TR-2026': 7 },
        jobs: [],
      }),
    );
    const store = await FileStore.open(dir);
    expect(await store.getConversation('web:-:a')).toEqual(running('2026-11-01T00:00:00.000Z'));
    expect(await store.nextSequence('TR-2026')).toBe(8);
    await store.close();
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
    expect(state.conversations).toEqual({});
    expect(await lines(join(dir, 'conversations.jsonl'))).toBe(1);
    const again = await FileStore.open(dir);
    expect(await again.getConversation('web:-:a')).toEqual(running('2026-11-01T00:00:00.000Z'));
    await again.close();
  });

  it('pruning drops idle users from memory and from the file', async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    for (let i = 0; i < 300; i++)
      await store.setConversation(
        `web:-:u${i}`,
        running(i < 200 ? '2026-09-01T00:00:00.000Z' : '2026-11-20T00:00:00.000Z'),
      );
    expect(await store.pruneConversations('2026-10-28T01:00:00.000Z')).toBe(200);
    await store.close();
    expect(await lines(join(dir, 'conversations.jsonl'))).toBe(100);
    const again = await FileStore.open(dir);
    expect(await again.getConversation('web:-:u0')).toBeUndefined();
    expect(await again.getConversation('web:-:u299')).toBeDefined();
    await again.close();
  });
});

describe('pruning and checklists that were finishing', () => {
  it('keeps a checklist that was interrupted while finishing, however old', async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    const old = '2026-01-01T00:00:00.000Z';
    await store.setConversation('web:-:idle', running(old));
    await store.setConversation('web:-:finishing', {
      updatedAt: old,
      flow: {
        name: 'checklist',
        data: { finishing: { at: old, recordId: 'TR-2026-0001', caseId: 'SC-2026-0001' } },
      },
    });
    expect(await store.pruneConversations('2026-10-28T01:00:00.000Z')).toBe(1);
    expect(await store.getConversation('web:-:idle')).toBeUndefined();
    expect(await store.getConversation('web:-:finishing')).toBeDefined();
    await store.close();
  });
});

describe('the scheduler prunes idle conversation state', () => {
  it('once an hour, by the injected clock', async () => {
    const clock = fixedClock('2026-11-27T01:00:00Z');
    const store = new MemoryStore();
    let prunes = 0;
    const prune = store.pruneConversations.bind(store);
    store.pruneConversations = (before) => {
      prunes++;
      return prune(before);
    };
    await store.setConversation('web:-:idle', running('2026-10-28T00:59:59.000Z'));
    await store.setConversation('web:-:recent', running('2026-10-28T01:00:00.000Z'));
    const scheduler = new Scheduler({
      store,
      clock,
      logger: silentLogger(),
      notifiers: new Map(),
      conversationIdleDays: 30,
    });
    await scheduler.tick();
    expect(await store.getConversation('web:-:idle')).toBeUndefined();
    expect(await store.getConversation('web:-:recent')).toBeDefined();
    clock.advance(59 * 60_000);
    await scheduler.tick();
    expect(prunes).toBe(1);
    clock.advance(2 * 60_000);
    await scheduler.tick();
    expect(prunes).toBe(2);
    expect(await store.getConversation('web:-:recent')).toBeUndefined();
  });
});
