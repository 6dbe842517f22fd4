/**
 * PostgreSQL against the file store with 100,000 archived cases, side by side in one run.
 * One data folder is seeded as years of use would leave it (bench/seed-cases.ts: monthly
 * archives, their index, open cases, audit lines, counters), then copied into a throw-away
 * PostgreSQL cluster with `migrate`'s own importer, so both stores hold the same records (it
 * analyses the tables as it finishes, so the planner works from real figures). Then, in rounds that alternate which store goes first (AB, BA, ...), one operation at a time:
 *   - create a case: CaseService.escalate (id, save with its outbox, first delivery, audit);
 *     the cases made are resolved afterwards, untimed, so the open count stays the same;
 *   - a checklist step: a `/pretrip` turn through the core bot (src/bot.ts) over the store;
 *   - list open cases (CaseStore.listActive, what reminders and `/cases` read);
 *   - get an archived case (CaseStore.get, as `cases show`).
 * Prints p50 and p99 per operation and store, operations a second (one at a time), and the
 * PostgreSQL p50 as a multiple of the file store's. Asserts nothing.
 *   npm run bench:pg      (BENCH_ARCHIVED=100000 BENCH_ROUNDS=6 BENCH_OPS=40)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findPostgres, startCluster } from '../scripts/pg-cluster.js';
import { assembleBot, loadContent } from '../src/app.js';
import { fixedClock } from '../src/clock.js';
import { type CaseStore, FileCaseStore } from '../src/escalation/case-store.js';
import { ContactsSchema } from '../src/escalation/contacts.js';
import { PgCaseStore } from '../src/escalation/pg-case-store.js';
import { CaseService } from '../src/escalation/service.js';
import { silentLogger } from '../src/logger.js';
import type { Incoming, Notifier } from '../src/model.js';
import { FileStore, type Store } from '../src/storage/index.js';
import { importDataDir } from '../src/storage/pg/import.js';
import { PgStore } from '../src/storage/pg/index.js';
import { cleanupOnInterrupt } from './cleanup.js';
import { printTable } from './compare.js';
import { seedDataDir } from './seed-cases.js';
import { ms, percentile } from './stats.js';

const ARCHIVED = Number(process.env.BENCH_ARCHIVED ?? 100_000);
const OPEN = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const OPS = Number(process.env.BENCH_OPS ?? 40);
/** Friday 27 November 2026, 2 pm in New Zealand. */
const NOW = new Date('2026-11-27T01:00:00Z');

const SEC = { platform: 'web' as const, id: 'sec', name: 'Sam Security' };
const contacts = ContactsSchema.parse({
  primary: { name: 'Sam Security', web: 'sec' },
  backup: { name: 'Bo Backup', web: 'sec-backup' },
  ackWorkingHours: 4,
  reminderMinutes: 60,
});
/** The chat platform: every message gets through at once. */
const notifier: Notifier = { platform: 'web', notify: async () => ({ ok: true, messageId: 'm' }) };

/** The first four steps of the shipped pre-trip checklist: a button, a text and two dates. */
const STEPS: Omit<Incoming, 'user' | 'conversation'>[] = [
  { action: { id: 'checklist:answer', value: 'visit-type=outbound' } },
  { text: 'Anniversary visit to Kumagaya' },
  { text: '5/3/2027' },
  { text: '7/3/2027' },
];

const OPERATIONS = ['create a case', 'checklist step', 'list open cases', 'get an archived case'];
type Op = (typeof OPERATIONS)[number];

/** One store under test, with the bot and case service over it. */
interface Arm {
  name: string;
  store: Store;
  cases: CaseStore;
  openMs: number;
  times: Map<Op, number[]>;
  run(round: number): Promise<void>;
}

const content = await loadContent('knowledge');

async function time(into: number[], fn: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  await fn();
  into.push(performance.now() - t0);
}

function makeArm(
  name: string,
  store: Store,
  cases: CaseStore,
  openMs: number,
  archivedIds: string[],
): Arm {
  const clock = fixedClock(NOW);
  const service = new CaseService({
    cases,
    store,
    contacts,
    notifiers: new Map([['web', notifier]]),
    clock,
    logger: silentLogger(),
  });
  const bot = assembleBot({
    ...content,
    store,
    cases: service,
    logger: silentLogger(),
    clock,
    maxMessageChars: 2000,
    settings: { expiryDays: 14, escalateWarnings: 3 },
  });
  const times = new Map<Op, number[]>(OPERATIONS.map((o) => [o, []]));
  const t = (op: Op) => times.get(op) ?? [];
  return {
    name,
    store,
    cases,
    openMs,
    times,
    async run(round) {
      // Timed rounds only record; round < 0 warms up.
      const sink = (op: Op) => (round < 0 ? [] : t(op));
      const made: string[] = [];
      for (let i = 0; i < OPS; i++) {
        const reporter = { platform: 'web' as const, id: `staff${i % 50}`, name: 'Staff' };
        await time(sink('create a case'), async () => {
          const r = await service.escalate({
            source: 'report',
            reporter,
            summary: `Report a concern RP-2026-${round}-${i}`,
            details: 'A visitor asked for the port expansion plans at a dinner.',
            flags: [],
            answers: [],
          });
          made.push(r.id);
        });
        clock.advance(1000);
      }
      for (const id of made) await service.act(SEC, 'resolve', id, 'Passed on to the team.');
      for (let i = 0; i < OPS / STEPS.length; i++) {
        const user = { platform: 'web' as const, id: `bench-${round}-${i}` };
        const conversation = { id: user.id, kind: 'direct' as const };
        await bot.handle({ user, conversation, text: 'pretrip' });
        for (const step of STEPS) {
          await time(sink('checklist step'), async () => {
            const [reply] = await bot.handle({ user, conversation, ...step } as Incoming);
            if (reply?.kind === 'error') throw new Error(`step refused: ${JSON.stringify(reply)}`);
          });
          clock.advance(1000);
        }
        await bot.handle({ user, conversation, text: 'cancel' });
      }
      for (let i = 0; i < OPS; i++)
        await time(sink('list open cases'), async () => {
          const open = await cases.listActive();
          if (open.length !== OPEN) throw new Error(`${name}: ${open.length} open cases`);
        });
      for (let i = 0; i < OPS; i++) {
        const id = archivedIds[((round + 1) * OPS + i) % archivedIds.length] ?? '';
        await time(sink('get an archived case'), async () => {
          if ((await cases.get(id))?.id !== id) throw new Error(`${name}: ${id} not found`);
        });
      }
    },
  };
}

async function main(): Promise<void> {
  const found = findPostgres();
  if (!found.ok) throw new Error(`PostgreSQL is not available: ${found.reason}`);
  const dir = await mkdtemp(join(tmpdir(), 'sca-bench-pg-'));
  const cluster = await startCluster(found);
  // The cluster runs in its own session, so Ctrl-C would leave it running: stop it first.
  const cleanup = cleanupOnInterrupt(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });
  const closers: (() => Promise<void>)[] = [];
  try {
    let t0 = performance.now();
    const seeded = await seedDataDir(dir, ARCHIVED, OPEN, NOW);
    const seedS = (performance.now() - t0) / 1000;
    await cluster.admin('CREATE DATABASE bench');
    const url = cluster.url('bench');
    t0 = performance.now();
    const counts = await importDataDir(dir, url);
    const importS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const files = await FileStore.open(dir);
    const fileCases = await FileCaseStore.open(dir);
    const fileOpen = performance.now() - t0;
    closers.push(() => files.close());
    t0 = performance.now();
    const pg = await PgStore.open(url);
    const pgOpen = performance.now() - t0;
    closers.push(() => pg.close());
    const arms = [
      makeArm('files', files, fileCases, fileOpen, seeded.archivedIds),
      makeArm('PostgreSQL', pg, new PgCaseStore(pg.pool), pgOpen, seeded.archivedIds),
    ];

    console.log(
      `PostgreSQL ${found.bin.match(/\/(\d+)\/bin/)?.[1] ?? ''} (throw-away cluster on loopback, fsync off, synchronous_commit off; the file store does not fsync either) against the file store in one process, Node ${process.version}.`,
    );
    console.log(
      `Seeded ${ARCHIVED.toLocaleString('en-NZ')} archived cases (${seeded.months} monthly files) and ${OPEN} open ones, ${counts.auditEvents.toLocaleString('en-NZ')} audit lines, in ${seedS.toFixed(1)} s; migrate --from-dir copied them into PostgreSQL in ${importS.toFixed(1)} s (${counts.caseEvents.toLocaleString('en-NZ')} history rows, ${counts.caseMessages.toLocaleString('en-NZ')} outbox rows).`,
    );
    console.log(
      `${ROUNDS} rounds after one warm-up, order alternating; per round and store ${OPS} of each operation, one at a time. Times in ms.\n`,
    );
    for (let round = -1; round < ROUNDS; round++)
      for (const arm of round % 2 === 0 ? arms : [...arms].reverse()) await arm.run(round);

    const [a, b] = arms as [Arm, Arm];
    const row = (op: Op) => {
      const cells: string[] = [op];
      const p50s: number[] = [];
      for (const arm of arms) {
        const xs = [...(arm.times.get(op) ?? [])].sort((x, y) => x - y);
        const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
        p50s.push(percentile(xs, 50));
        cells.push(
          ms(percentile(xs, 50)),
          ms(percentile(xs, 99)),
          Math.round(1000 / mean).toString(),
        );
      }
      cells.push(`${((p50s[1] ?? 0) / (p50s[0] ?? 1)).toFixed(2)}x`);
      return cells;
    };
    printTable(
      [
        `operation (n=${ROUNDS * OPS} each)`,
        `${a.name} p50`,
        `${a.name} p99`,
        `${a.name} ops/s`,
        `${b.name} p50`,
        `${b.name} p99`,
        `${b.name} ops/s`,
        `${b.name} ÷ ${a.name} (p50)`,
      ],
      OPERATIONS.map(row),
    );
    console.log(
      `\nOpening the stores (after the seed): files ${ms(a.openMs)} ms (the id counters are checked against every case and audit line), PostgreSQL ${ms(b.openMs)} ms (connect and check the schema).`,
    );
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await cleanup();
  }
}

await main();
