/**
 * Case storage benchmark. For 100, 10,000 and 100,000 finished cases in the monthly archive,
 * with 50 (and then 1,000) open cases in cases/active.json, measures:
 *   - CaseService.escalate for 200 new cases (p50, p99) with a no-op notifier,
 *   - the size of active.json before and after those 200,
 *   - listAll(), get() of an archived case, a reporter's "my cases",
 *   - a scheduler tick with nothing due, and one an hour later when the 200 new cases are
 *     each due a reminder (every save rewrites active.json: the cost of the hot file).
 * Prints figures; asserts nothing.
 *   npx tsx bench/cases.bench.ts        (BENCH_SIZES=100,10000 to pick archive sizes)
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fixedClock } from '../src/clock.js';
import type { Case } from '../src/escalation/case.js';
import { FileCaseStore } from '../src/escalation/case-store.js';
import { ContactsSchema } from '../src/escalation/contacts.js';
import { CaseService } from '../src/escalation/service.js';
import { silentLogger } from '../src/logger.js';
import type { Notifier, UserRef } from '../src/model.js';
import { FileStore } from '../src/storage/index.js';
import { ms, percentile } from './stats.js';

const SIZES = (process.env.BENCH_SIZES ?? '100,10000,100000').split(',').map(Number);
const OPEN = [50, 1000];
const NEW_CASES = 200;
const MONTHS = 36;
/** Tuesday 1 December 2026, 09:00 in New Zealand: the 4-working-hour deadline is 13:00. */
const NOW = Date.parse('2026-11-30T20:00:00Z');

const noop: Notifier = { platform: 'web', notify: async () => ({ ok: true, messageId: 'x' }) };
const contacts = ContactsSchema.parse({
  primary: { name: 'Sam Security', web: 'sec' },
  backup: { name: 'Bo Backup', web: 'sec-backup' },
});
const reporter = (i: number): UserRef => ({
  platform: 'web',
  id: `staff${i % 500}`,
  name: 'Staff',
});

const size = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(0)} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** A realistic case: a pre-trip escalation with flags and answers, or a report in own words. */
function makeCase(id: string, i: number, raisedAt: Date, finished: boolean): Case {
  const at = raisedAt.toISOString();
  const closedAt = new Date(raisedAt.getTime() + 26 * 3600_000).toISOString();
  const pretrip = i % 3 === 0;
  const user = reporter(i);
  return {
    id,
    reporter: user,
    raisedAt: at,
    source: pretrip ? 'pretrip' : 'report',
    summary: pretrip
      ? `Pre-trip security checklist TR-2025-${i}: 1 high and 2 warning flags.`
      : `Report a concern RP-2025-${i}`,
    ...(pretrip
      ? {}
      : { details: `Case ${i}: a visitor asked about council infrastructure plans at a dinner.` }),
    flags: pretrip
      ? [
          {
            id: 'high-advisory',
            severity: 'high',
            title: 'High SafeTravel advisory level',
            advice: 'MFAT advises against travel here. Talk to your security contact first.',
          },
          {
            id: 'host-funded',
            severity: 'warning',
            title: 'Hosted or sponsored travel.',
            advice: 'Record who pays and why.',
          },
        ]
      : [],
    answers: Array.from({ length: pretrip ? 8 : 4 }, (_, k) => ({
      stepId: `step-${k}`,
      label: `Question ${k}`,
      answer: `Answer ${k} for case ${i}`,
    })),
    // Open ones are being worked on, so they are not due reminders during the run.
    status: finished
      ? i % 4 === 0
        ? 'closed'
        : 'resolved'
      : i % 2
        ? 'info-requested'
        : 'acknowledged',
    assignedTo: 'primary',
    ackDueAt: new Date(raisedAt.getTime() + 4 * 3600_000).toISOString(),
    remindersSent: 0,
    ...(finished ? { closedAt } : {}),
    history: [
      { at, actor: `web:-:${user.id}`, type: 'raised' },
      { at, actor: 'web:-:sec', type: 'acknowledged' },
      ...(finished ? [{ at: closedAt, actor: 'web:-:sec', type: 'resolved' as const }] : []),
    ],
    notifications: [
      {
        id: `${id}/1`,
        to: 'primary',
        user: { platform: 'web', id: 'sec', name: 'Sam Security' },
        kind: 'new-case',
        status: 'sent',
        attempts: 1,
        createdAt: at,
        nextAttemptAt: at,
        sentAt: at,
        messageId: 'x',
      },
    ],
  };
}

/** Writes the archive (JSONL by month) and active.json directly, as a long-running bot would leave them. */
async function populate(dir: string, archived: number, open: number): Promise<void> {
  const casesDir = join(dir, 'cases');
  await mkdir(join(casesDir, 'archive'), { recursive: true });
  const byMonth = new Map<string, string[]>();
  const start = Date.parse('2019-01-01T00:00:00Z');
  const span = MONTHS * 30 * 24 * 3600_000;
  for (let i = 0; i < archived; i++) {
    const c = makeCase(`SC-2019-${i + 1}`, i, new Date(start + (i / archived) * span), true);
    const month = c.closedAt!.slice(0, 7);
    const lines = byMonth.get(month) ?? [];
    lines.push(JSON.stringify(c));
    byMonth.set(month, lines);
  }
  for (const [month, lines] of byMonth)
    await writeFile(join(casesDir, 'archive', `${month}.jsonl`), `${lines.join('\n')}\n`);
  const active = Array.from({ length: open }, (_, i) =>
    makeCase(`SC-2020-${i + 1}`, i, new Date(NOW - (open - i) * 60_000), false),
  );
  // Shaped as lowdb writes it (two-space indent).
  await writeFile(
    join(casesDir, 'active.json'),
    JSON.stringify({ schemaVersion: 1, cases: active }, null, 2),
  );
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const result = await fn();
  return [performance.now() - t0, result];
}

interface Row {
  archived: number;
  open: number;
  p50: number;
  p99: number;
  activeBefore: number;
  activeAfter: number;
  listAll: number;
  getArchived: number;
  myCases: number;
  idleTick: number;
  reminderTick: number;
}

async function scenario(archived: number, open: number): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'sca-bench-cases-'));
  try {
    await populate(dir, archived, open);
    const activeFile = join(dir, 'cases', 'active.json');
    const activeBefore = (await stat(activeFile)).size;
    const store = await FileStore.open(dir);
    const cases = await FileCaseStore.open(dir);
    const clock = fixedClock(new Date(NOW));
    const service = new CaseService({
      cases,
      store,
      contacts,
      notifiers: new Map([['web', noop]]),
      clock,
      logger: silentLogger(),
    });
    const times: number[] = [];
    for (let i = 0; i < NEW_CASES; i++) {
      const [t, receipt] = await time(() =>
        service.escalate({
          source: 'question',
          reporter: reporter(i),
          summary: 'A question for the security contact',
          details: `Benchmark question ${i}: is this gift acceptable?`,
          flags: [],
          answers: [],
        }),
      );
      if (!receipt.notified) throw new Error(`case ${receipt.id} was not delivered`);
      times.push(t);
      clock.advance(1000);
    }
    times.sort((a, b) => a - b);
    const activeAfter = (await stat(activeFile)).size;
    // Cold reads, from a freshly opened store, best of two.
    const reader = await FileCaseStore.open(dir);
    const [l1, all] = await time(() => reader.listAll());
    const [l2] = await time(() => reader.listAll());
    if (all.length !== archived + open + NEW_CASES) throw new Error(`listAll gave ${all.length}`);
    const [getArchived, found] = await time(() => reader.get(`SC-2019-${Math.ceil(archived / 2)}`));
    if (!found) throw new Error('archived case not found');
    const [myCases] = await time(() => service.list(reporter(7)));
    const [idleTick] = await time(() => service.tick());
    clock.advance(61 * 60_000);
    const [reminderTick] = await time(() => service.tick());
    const reminded = (await cases.listActive()).filter((c) => c.remindersSent === 1).length;
    if (reminded !== NEW_CASES) throw new Error(`${reminded} cases were reminded`);
    await store.close();
    return {
      archived,
      open,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      activeBefore,
      activeAfter,
      listAll: Math.min(l1, l2),
      getArchived,
      myCases,
      idleTick,
      reminderTick,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const header = [
  'archived',
  'open',
  'escalate p50',
  'escalate p99',
  'active.json before',
  'active.json after',
  'listAll',
  'get(archived)',
  '"my cases"',
  'idle tick',
  `tick, ${NEW_CASES} reminders`,
];

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(
    `Case storage: ${NEW_CASES} escalations per row (no-op notifier), times in ms. Node ${process.version}.`,
  );
  const rows: string[][] = [];
  for (const open of OPEN) {
    for (const archived of SIZES) {
      const r = await scenario(archived, open);
      rows.push([
        r.archived.toLocaleString('en-NZ'),
        `${r.open.toLocaleString('en-NZ')} (+${NEW_CASES})`,
        ms(r.p50),
        ms(r.p99),
        size(r.activeBefore),
        size(r.activeAfter),
        ms(r.listAll),
        ms(r.getArchived),
        ms(r.myCases),
        ms(r.idleTick),
        ms(r.reminderTick),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log(`\nTotal ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
}

await main();
