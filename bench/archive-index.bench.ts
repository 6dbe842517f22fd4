/**
 * Archived-case lookup, with the id-to-month index and without it (reading every monthly
 * archive, as before the index), at 100,000 archived cases in 36 monthly files. Measures:
 *   - cold: open a store and get one archived case, as `cases show` does (a fresh store each time),
 *   - warm: get one archived case from a store already open, as the bot does,
 *   - archive files read per lookup,
 *   - archiving one case (index line, archive line, active.json rewrite),
 *   - the one-off build of a missing index, and the index file's size.
 * Prints figures; asserts nothing.
 *   npm run bench:archive        (BENCH_ARCHIVED=10000 for another size)
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Case } from '../src/escalation/case.js';
import { FileCaseStore } from '../src/escalation/case-store.js';
import { ms, percentile } from './stats.js';

const ARCHIVED = Number(process.env.BENCH_ARCHIVED ?? 100_000);
const MONTHS = 36;
const COLD = { index: 20, scan: 5 };
const WARM = { index: 200, scan: 5 };
const ARCHIVE_SAVES = 200;

/** A finished case shaped like a real one: a pre-trip escalation with flags and answers, or a report. */
function finishedCase(id: string, i: number, raisedAt: Date): Case {
  const at = raisedAt.toISOString();
  const closedAt = new Date(raisedAt.getTime() + 26 * 3600_000).toISOString();
  const pretrip = i % 3 === 0;
  const user = { platform: 'web' as const, id: `staff${i % 500}`, name: 'Staff' };
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
        ]
      : [],
    answers: Array.from({ length: pretrip ? 8 : 4 }, (_, k) => ({
      stepId: `step-${k}`,
      label: `Question ${k}`,
      answer: `Answer ${k} for case ${i}`,
    })),
    status: i % 4 === 0 ? 'closed' : 'resolved',
    assignedTo: 'primary',
    ackDueAt: new Date(raisedAt.getTime() + 4 * 3600_000).toISOString(),
    remindersSent: 0,
    closedAt,
    history: [
      { at, actor: `web:-:${user.id}`, type: 'raised' },
      { at, actor: 'web:-:sec', type: 'acknowledged' },
      { at: closedAt, actor: 'web:-:sec', type: 'resolved' },
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

const id = (i: number) => `SC-2023-${String(i + 1).padStart(6, '0')}`;

/** Writes the monthly archives directly, as a long-running bot would leave them (no index yet). */
async function populate(dir: string): Promise<void> {
  const archive = join(dir, 'cases', 'archive');
  await mkdir(archive, { recursive: true });
  const byMonth = new Map<string, string[]>();
  const start = Date.parse('2023-01-01T00:00:00Z');
  const span = MONTHS * 30 * 24 * 3600_000;
  for (let i = 0; i < ARCHIVED; i++) {
    const c = finishedCase(id(i), i, new Date(start + (i / ARCHIVED) * span));
    const month = (c.closedAt ?? '').slice(0, 7);
    const lines = byMonth.get(month) ?? [];
    lines.push(JSON.stringify(c));
    byMonth.set(month, lines);
  }
  for (const [month, lines] of byMonth)
    await writeFile(join(archive, `${month}.jsonl`), `${lines.join('\n')}\n`);
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const result = await fn();
  return [performance.now() - t0, result];
}

/** Ids spread over the whole archive, the same for both ways. */
const sample = (n: number) =>
  Array.from({ length: n }, (_, k) => id(Math.floor(((k + 0.5) / n) * ARCHIVED)));

interface Lookups {
  cold: number[];
  warm: number[];
  reads: number;
}

async function lookups(dir: string, archiveIndex: boolean): Promise<Lookups> {
  const n = archiveIndex ? COLD.index : COLD.scan;
  const cold: number[] = [];
  let reads = 0;
  for (const want of sample(n)) {
    const [t, store] = await time(async () => {
      const s = await FileCaseStore.open(dir, { readOnly: true, archiveIndex });
      if ((await s.get(want))?.id !== want) throw new Error(`${want} not found`);
      return s;
    });
    cold.push(t);
    reads = store.stats.archiveReads;
  }
  const store = await FileCaseStore.open(dir, { readOnly: true, archiveIndex });
  await store.get(id(0));
  const warm: number[] = [];
  for (const want of sample(archiveIndex ? WARM.index : WARM.scan)) {
    const [t, found] = await time(() => store.get(want));
    if (found?.id !== want) throw new Error(`${want} not found`);
    warm.push(t);
  }
  return { cold: cold.sort((a, b) => a - b), warm: warm.sort((a, b) => a - b), reads };
}

/** Archiving cases one at a time into the big archive: p50 of `ARCHIVE_SAVES` saves. */
async function archiving(dir: string, archiveIndex: boolean, round: number): Promise<number> {
  const store = await FileCaseStore.open(dir, { archiveIndex });
  const times: number[] = [];
  for (let k = 0; k < ARCHIVE_SAVES; k++) {
    const i = ARCHIVED + round * ARCHIVE_SAVES + k;
    const c = finishedCase(id(i), i, new Date('2025-12-20T00:00:00Z'));
    const [t] = await time(() => store.save(c));
    times.push(t);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sca-bench-index-'));
  try {
    const t0 = performance.now();
    await populate(dir);
    const populateS = (performance.now() - t0) / 1000;
    // The first writable open after an upgrade finds no index and builds it.
    const [buildMs, built] = await time(() => FileCaseStore.open(dir));
    const indexBytes = (await stat(join(dir, 'cases', 'archive-index.jsonl'))).size;
    const withIndex = await lookups(dir, true);
    const scan = await lookups(dir, false);
    // Alternated, after a round each to warm up, so neither way gets the warm file cache alone.
    await archiving(dir, true, 0);
    await archiving(dir, false, 1);
    const saveIndexed = await archiving(dir, true, 2);
    const saveScan = await archiving(dir, false, 3);

    console.log(
      `Archived-case lookup: ${ARCHIVED.toLocaleString('en-NZ')} archived cases in ${MONTHS} monthly files (written in ${populateS.toFixed(1)} s). Node ${process.version}, times in ms.\n`,
    );
    const rows: [string, string, string][] = [
      ['', 'with index', 'without (scan)'],
      [
        `cold: open + get, as \`cases show\` (p50 / max of ${COLD.index} | ${COLD.scan})`,
        `${ms(percentile(withIndex.cold, 50))} / ${ms(withIndex.cold.at(-1) ?? 0)}`,
        `${ms(percentile(scan.cold, 50))} / ${ms(scan.cold.at(-1) ?? 0)}`,
      ],
      [
        `warm: get from an open store (p50 / max of ${WARM.index} | ${WARM.scan})`,
        `${ms(percentile(withIndex.warm, 50))} / ${ms(withIndex.warm.at(-1) ?? 0)}`,
        `${ms(percentile(scan.warm, 50))} / ${ms(scan.warm.at(-1) ?? 0)}`,
      ],
      ['archive files read per cold lookup', String(withIndex.reads), String(scan.reads)],
      [
        `archive one case, p50 of ${ARCHIVE_SAVES}`,
        ms(saveIndexed),
        `${ms(saveScan)} (no index kept)`,
      ],
    ];
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
    for (const [k, r] of rows.entries()) {
      console.log(
        `${r[0].padEnd(w[0] ?? 0)}  ${r[1].padStart(w[1] ?? 0)}  ${r[2].padStart(w[2] ?? 0)}`,
      );
      if (k === 0) console.log(w.map((n) => '-'.repeat(n)).join('  '));
    }
    console.log(
      `\nOne-off build of a missing index (first start after an upgrade): ${ms(buildMs)} ms, ${built.stats.archiveReads} files read; index file ${(indexBytes / 1024 / 1024).toFixed(1)} MB.`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
