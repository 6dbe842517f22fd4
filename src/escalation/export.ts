import { nzIso, nzLong, withNzTimes } from '../nz-time.js';
import type { AuditEvent } from '../storage/index.js';
import { type Case, STATUS_LABEL } from './case.js';
import { NameBook } from './names.js';

/** One CSV cell: quoted when needed, and never read as a formula by a spreadsheet. */
function cell(value: unknown): string {
  let s = value === undefined || value === null ? '' : String(value);
  // A leading = + - @ (or tab/CR) would run as a formula in Excel: neutralise it.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of cells as CSV text with a header. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

const CASE_COLUMNS = [
  'id',
  'raised_at',
  'source',
  'status',
  'reporter_platform',
  'reporter_id',
  'reporter_name',
  'assigned_to',
  'ack_due_at',
  'closed_at',
  'summary',
  'details',
  'flags',
  'events',
  'outcome',
  'notifications_sent',
  'notifications_failed',
];

/** Cases as CSV, one row per case, for audits and information requests. Times are NZ time with their offset. */
export function casesToCsv(cases: Case[], names = new NameBook(cases)): string {
  return toCsv(
    CASE_COLUMNS,
    cases.map((c) => [
      c.id,
      nzIso(c.raisedAt),
      c.source,
      STATUS_LABEL[c.status],
      c.reporter.platform,
      c.reporter.id,
      c.reporter.name ?? '',
      c.assignedTo,
      nzIso(c.ackDueAt),
      c.closedAt ? nzIso(c.closedAt) : '',
      c.summary,
      c.details ?? '',
      c.flags.map((f) => `${f.severity}: ${f.title}`).join('; '),
      c.history.map((e) => `${nzIso(e.at)} ${e.type} by ${names.label(e.actor)}`).join('; '),
      c.history.findLast((e) => e.type === 'resolved' || e.type === 'closed')?.note ?? '',
      c.notifications.filter((n) => n.status === 'sent').length,
      c.notifications.filter((n) => n.status === 'failed').length,
    ]),
  );
}

/** Cases for a JSON export: NZ times with their offset, and each event's actor named beside its key. */
export function casesToJson(cases: Case[], names = new NameBook(cases)): unknown[] {
  return cases.map((c) =>
    withNzTimes({
      ...c,
      history: c.history.map((e) => ({ ...e, actorName: names.label(e.actor) })),
    }),
  );
}

/** The audit log as CSV: NZ times, the actor's name, and the actor's key for matching. */
export function auditToCsv(events: AuditEvent[], names = new NameBook()): string {
  return toCsv(
    ['at', 'type', 'actor', 'actor_id', 'data'],
    events.map((e) => [
      nzIso(e.at),
      e.type,
      names.label(e.actor),
      e.actor ?? '',
      e.data ? JSON.stringify(withNzTimes(e.data)) : '',
    ]),
  );
}

/** The audit log for a JSON export: NZ times, and the actor named beside its key. */
export function auditToJson(events: AuditEvent[], names = new NameBook()): unknown[] {
  return events.map((e) =>
    withNzTimes({ ...e, ...(e.actor ? { actorName: names.label(e.actor) } : {}) }),
  );
}

/** A case as plain text for the terminal, in New Zealand time and with people's names. */
export function caseToText(c: Case, names = new NameBook([c])): string {
  const assignee = c.notifications.findLast((n) => n.to === c.assignedTo)?.user.name;
  const lines = [
    `${c.id}  ${STATUS_LABEL[c.status]}  (${c.source})`,
    `Raised:    ${nzLong(c.raisedAt)} by ${names.labelOf(c.reporter)}`,
    `Assigned:  the ${c.assignedTo} contact${assignee ? ` (${assignee})` : ''}; acknowledge by ${nzLong(c.ackDueAt)}`,
  ];
  if (c.closedAt) lines.push(`Closed:    ${nzLong(c.closedAt)}`);
  lines.push(`Summary:   ${c.summary}`);
  if (c.details) lines.push(`Details:   ${c.details}`);
  if (c.flags.length) lines.push('Flags:', ...c.flags.map((f) => `  - ${f.severity}: ${f.title}`));
  if (c.answers.length)
    lines.push('Answers:', ...c.answers.map((a) => `  - ${a.label}: ${a.answer}`));
  lines.push(
    'History:',
    ...c.history.map(
      (e) =>
        `  - ${nzLong(e.at)}: ${e.type} by ${names.label(e.actor)}${e.count && e.count > 1 ? ` (${e.count} times, last ${nzLong(e.lastAt ?? e.at)})` : ''}${e.note ? `: ${e.note}` : ''}`,
    ),
  );
  lines.push(
    'Notifications:',
    ...c.notifications.map(
      (n) =>
        `  - ${n.id} to ${n.to === 'reporter' ? 'the reporter' : `the ${n.to} contact`}, ${names.labelOf(n.user)}, ${n.kind}: ${n.status}, ${n.attempts} attempt(s)${n.sentAt ? `, sent ${nzLong(n.sentAt)}` : ''}${n.lastError ? `, last error: ${n.lastError}` : ''}`,
    ),
  );
  return lines.join('\n');
}
