/**
 * Conversation state benchmark. Times one pre-trip checklist step (bot.handle with the real
 * file store and the shipped knowledge) when the data folder holds the state of
 *   - 100 users,
 *   - 20,000 users who each started a checklist once and have been idle for up to 29 days
 *     (kept: CONVERSATION_IDLE_DAYS is 30),
 *   - 20,000 users like that idle for 31 to 60 days (dropped by the first hourly prune),
 * and prints the figures side by side, with each p50 as a multiple of the 100-user one.
 * Background users are written through the store, then it is closed and reopened, as after
 * a restart. Asserts nothing.
 *   npm run bench:state        (BENCH_USERS=20000 to change the large size)
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { assembleBot, loadContent } from '../src/app.js';
import { fixedClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import type { Incoming } from '../src/model.js';
import { type ConversationState, FileStore, userKey } from '../src/storage/index.js';
import { ms, percentile } from './stats.js';

const LARGE = Number(process.env.BENCH_USERS ?? 20_000);
const ROUNDS = 60;
const IDLE_DAYS = 30;
const DAY = 24 * 3600_000;
/** Friday 27 November 2026, 2 pm in New Zealand. */
const NOW = Date.parse('2026-11-27T01:00:00Z');

const content = await loadContent('knowledge');

/** The first four steps of the shipped pre-trip checklist: a button, a text and two dates. */
const STEPS: Omit<Incoming, 'user' | 'conversation'>[] = [
  { action: { id: 'checklist:answer', value: 'visit-type=outbound' } },
  { text: 'Anniversary visit to Kumagaya' },
  { text: '5/3/2027' },
  { text: '7/3/2027' },
];

const size = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(0)} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function fileSize(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

interface Row {
  label: string;
  users: number;
  kept: number;
  openMs: number;
  pruneMs: number;
  stateBytes: number;
  journalBytes: number;
  p50: number;
  p99: number;
}

async function scenario(label: string, users: number, idleFor: [number, number]): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'sca-bench-state-'));
  try {
    const clock = fixedClock(new Date(NOW));
    const bot = (store: FileStore) =>
      assembleBot({
        ...content,
        store,
        logger: silentLogger(),
        clock,
        maxMessageChars: 2000,
        settings: { expiryDays: 14, escalateWarnings: 3 },
      });
    // What a user who typed "pretrip" once and walked away leaves behind.
    const first = await FileStore.open(dir);
    const template = { platform: 'web' as const, id: 'template' };
    await bot(first).handle({
      user: template,
      conversation: { id: 'template', kind: 'direct' },
      text: 'pretrip',
    });
    const state = (await first.getConversation(userKey(template))) as ConversationState;
    await first.setConversation(userKey(template), undefined);
    const [from, to] = idleFor;
    await Promise.all(
      Array.from({ length: users }, (_, i) => {
        const at = new Date(NOW - (from + ((to - from) * i) / users) * DAY).toISOString();
        const s = structuredClone(state);
        s.updatedAt = at;
        if (s.flow) Object.assign(s.flow.data, { startedAt: at, updatedAt: at });
        return first.setConversation(`web:-:spoke-once-${i}`, s);
      }),
    );
    await first.close();

    const t0 = performance.now();
    const store = await FileStore.open(dir);
    const openMs = performance.now() - t0;
    const t1 = performance.now();
    // As the scheduler's first tick does.
    await store.pruneConversations(new Date(NOW - IDLE_DAYS * DAY).toISOString());
    const pruneMs = performance.now() - t1;
    const b = bot(store);
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const user = { platform: 'web' as const, id: `bench-${round % 20}` };
      const conversation = { id: user.id, kind: 'direct' as const };
      await b.handle({ user, conversation, text: 'pretrip' });
      for (const step of STEPS) {
        const t = performance.now();
        const [reply] = await b.handle({ user, conversation, ...step } as Incoming);
        times.push(performance.now() - t);
        if (reply?.kind === 'error') throw new Error(`step refused: ${JSON.stringify(reply)}`);
        clock.advance(1000);
      }
      await b.handle({ user, conversation, text: 'cancel' });
    }
    times.sort((x, y) => x - y);
    let kept = 0;
    for (let i = 0; i < users; i++)
      if (await store.getConversation(`web:-:spoke-once-${i}`)) kept++;
    await store.close();
    return {
      label,
      users,
      kept,
      openMs,
      pruneMs,
      stateBytes: await fileSize(join(dir, 'state.json')),
      journalBytes: await fileSize(join(dir, 'conversations.jsonl')),
      p50: percentile(times, 50),
      p99: percentile(times, 99),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const header = [
  'users with state',
  'kept',
  'open',
  'prune',
  'state.json',
  'conversations.jsonl',
  'step p50',
  'step p99',
  'p50 vs 100 users',
];

async function main(): Promise<void> {
  console.log(
    `One checklist step (${ROUNDS * STEPS.length} timed), file store, shipped knowledge; times in ms. Node ${process.version}.`,
  );
  // Once untimed, so the first row is not the one that pays for compiling the code.
  await scenario('warm-up', 100, [1, 29]);
  const rows = [
    await scenario('100, idle 1-29 days', 100, [1, 29]),
    await scenario(`${LARGE.toLocaleString('en-NZ')}, idle 1-29 days`, LARGE, [1, 29]),
    await scenario(`${LARGE.toLocaleString('en-NZ')}, idle 31-60 days`, LARGE, [31, 60]),
  ];
  const base = rows[0]?.p50 ?? Number.NaN;
  const cells = rows.map((r) => [
    r.label,
    r.kept.toLocaleString('en-NZ'),
    ms(r.openMs),
    ms(r.pruneMs),
    size(r.stateBytes),
    size(r.journalBytes),
    ms(r.p50),
    ms(r.p99),
    `${(r.p50 / base).toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

await main();
