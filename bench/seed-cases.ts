/**
 * Finished cases for the benchmarks, and a data folder holding many of them laid out as the
 * file store leaves it after years of use: monthly archives (`cases/archive/YYYY-MM.jsonl`),
 * the id-to-month index (`cases/archive-index.jsonl`), the open cases in `cases/active.json`,
 * the audit lines each case wrote, and the id counters in `state.json`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nzDay } from '../src/clock.js';
import type { Case } from '../src/escalation/case.js';
import { SCHEMA_VERSION } from '../src/storage/index.js';

const HOUR = 3600_000;
const SEC = { platform: 'web' as const, id: 'sec', name: 'Sam Security' };

/** A finished case shaped like a real one: a pre-trip escalation with flags and answers, or a report. */
export function finishedCase(id: string, i: number, raisedAt: Date): Case {
  const at = raisedAt.toISOString();
  const ackAt = new Date(raisedAt.getTime() + 2 * HOUR).toISOString();
  const closedAt = new Date(raisedAt.getTime() + 26 * HOUR).toISOString();
  const pretrip = i % 3 === 0;
  const status = i % 4 === 0 ? 'closed' : 'resolved';
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
    status,
    assignedTo: 'primary',
    ackDueAt: new Date(raisedAt.getTime() + 4 * HOUR).toISOString(),
    remindersSent: 0,
    closedAt,
    history: [
      { at, actor: `web:-:${user.id}`, type: 'raised' },
      { at: ackAt, actor: 'web:-:sec', type: 'acknowledged' },
      { at: closedAt, actor: 'web:-:sec', type: status, note: 'Talked it through; no action.' },
    ],
    notifications: [
      {
        id: `${id}/1`,
        to: 'primary',
        user: SEC,
        kind: 'new-case',
        status: 'sent',
        attempts: 1,
        createdAt: at,
        nextAttemptAt: at,
        sentAt: at,
        messageId: 'x',
      },
      {
        id: `${id}/2`,
        to: 'reporter',
        user,
        kind: 'status',
        status: 'sent',
        attempts: 1,
        createdAt: closedAt,
        nextAttemptAt: closedAt,
        sentAt: closedAt,
        messageId: 'y',
      },
    ],
  };
}

/** An open case (new or acknowledged), nothing left to send. */
export function openCase(id: string, i: number, raisedAt: Date): Case {
  const c = finishedCase(id, i, raisedAt);
  const { closedAt: _, ...rest } = c;
  const acknowledged = i % 2 === 0;
  return {
    ...rest,
    status: acknowledged ? 'acknowledged' : 'new',
    ...(acknowledged ? {} : { nextReminderAt: new Date(raisedAt.getTime() + HOUR).toISOString() }),
    history: c.history.slice(0, acknowledged ? 2 : 1),
    notifications: c.notifications.slice(0, 1),
  };
}

/** What `seedDataDir` wrote. */
export interface Seeded {
  /** Some archived ids, spread over the whole archive. */
  archivedIds: string[];
  openIds: string[];
  months: number;
}

/**
 * Writes `archived` finished cases raised over `months` months from January 2023, and `open`
 * open cases raised in the last week before `now`, into a new data folder, as the bot would
 * have left them: ids SC-YYYY-NNNN numbered per New Zealand year, each case's `case-raised`,
 * `case-acknowledge` and `case-resolve` audit lines, and the counters at the last id issued.
 */
export async function seedDataDir(
  dir: string,
  archived: number,
  open: number,
  now: Date,
  months = 36,
): Promise<Seeded> {
  const archiveDir = join(dir, 'cases', 'archive');
  await mkdir(archiveDir, { recursive: true });
  const counters: Record<string, number> = {};
  const nextId = (at: Date) => {
    const seq = `SC-${nzDay(at).slice(0, 4)}`;
    const n = (counters[seq] ?? 0) + 1;
    counters[seq] = n;
    return `${seq}-${String(n).padStart(4, '0')}`;
  };
  const byMonth = new Map<string, string[]>();
  const index: string[] = [];
  const audit: string[] = [];
  const archivedIds: string[] = [];
  const auditLines = (c: Case) => {
    for (const e of c.history) {
      // The service's audit types: case-raised, then case-<action> with the status it left.
      const type =
        {
          raised: 'case-raised',
          acknowledged: 'case-acknowledge',
          resolved: 'case-resolve',
          closed: 'case-close',
        }[e.type as string] ?? `case-${e.type}`;
      const data =
        e.type === 'raised' ? { caseId: c.id, source: c.source } : { caseId: c.id, status: e.type };
      audit.push(JSON.stringify({ at: e.at, type, actor: e.actor, data }));
    }
  };
  const start = Date.parse('2023-01-01T00:00:00Z');
  const span = months * 30 * 24 * HOUR;
  for (let i = 0; i < archived; i++) {
    const c = finishedCase('', i, new Date(start + (i / archived) * span));
    c.id = nextId(new Date(c.raisedAt));
    for (const n of c.notifications) n.id = `${c.id}/${n.id.slice(1)}`;
    const month = (c.closedAt ?? c.raisedAt).slice(0, 7);
    const lines = byMonth.get(month) ?? [];
    lines.push(JSON.stringify(c));
    byMonth.set(month, lines);
    index.push(JSON.stringify([c.id, month]));
    auditLines(c);
    if (i % Math.max(1, Math.floor(archived / 200)) === 0) archivedIds.push(c.id);
  }
  for (const [month, lines] of byMonth)
    await writeFile(join(archiveDir, `${month}.jsonl`), `${lines.join('\n')}\n`);
  await writeFile(join(dir, 'cases', 'archive-index.jsonl'), `${index.join('\n')}\n`);
  const opened: Case[] = [];
  for (let k = 0; k < open; k++) {
    const at = new Date(now.getTime() - (7 * 24 * HOUR * (open - k)) / open);
    const c = openCase('', archived + k, at);
    c.id = nextId(at);
    for (const n of c.notifications) n.id = `${c.id}/${n.id.slice(1)}`;
    opened.push(c);
    auditLines(c);
  }
  await writeFile(
    join(dir, 'cases', 'active.json'),
    JSON.stringify({ schemaVersion: 1, cases: opened }),
  );
  // Audit lines in time order, as they were appended.
  audit.sort((a, b) => a.slice(7, 31).localeCompare(b.slice(7, 31)));
  await writeFile(join(dir, 'audit.jsonl'), `${audit.join('\n')}\n`);
  await writeFile(
    join(dir, 'state.json'),
    JSON.stringify({ schemaVersion: SCHEMA_VERSION, conversations: {}, counters, jobs: [] }),
  );
  return { archivedIds, openIds: opened.map((c) => c.id), months: byMonth.size };
}
