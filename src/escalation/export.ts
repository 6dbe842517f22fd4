import type { AuditEvent } from '../storage/index.js';
import { type Case, STATUS_LABEL } from './case.js';

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

/** Cases as CSV, one row per case, for audits and information requests. */
export function casesToCsv(cases: Case[]): string {
  return toCsv(
    CASE_COLUMNS,
    cases.map((c) => [
      c.id,
      c.raisedAt,
      c.source,
      STATUS_LABEL[c.status],
      c.reporter.platform,
      c.reporter.id,
      c.reporter.name ?? '',
      c.assignedTo,
      c.ackDueAt,
      c.closedAt ?? '',
      c.summary,
      c.details ?? '',
      c.flags.map((f) => `${f.severity}: ${f.title}`).join('; '),
      c.history.map((e) => `${e.at} ${e.type} by ${e.actor}`).join('; '),
      c.history.findLast((e) => e.type === 'resolved' || e.type === 'closed')?.note ?? '',
      c.notifications.filter((n) => n.status === 'sent').length,
      c.notifications.filter((n) => n.status === 'failed').length,
    ]),
  );
}

/** The audit log as CSV. */
export function auditToCsv(events: AuditEvent[]): string {
  return toCsv(
    ['at', 'type', 'actor', 'data'],
    events.map((e) => [e.at, e.type, e.actor ?? '', e.data ? JSON.stringify(e.data) : '']),
  );
}

/** A case as plain text for the terminal. */
export function caseToText(c: Case): string {
  const lines = [
    `${c.id}  ${STATUS_LABEL[c.status]}  (${c.source})`,
    `Raised:    ${c.raisedAt} by ${c.reporter.name ?? c.reporter.id} (${c.reporter.platform}:${c.reporter.id})`,
    `Assigned:  ${c.assignedTo}; acknowledge by ${c.ackDueAt}`,
    `Summary:   ${c.summary}`,
  ];
  if (c.details) lines.push(`Details:   ${c.details}`);
  if (c.flags.length) lines.push('Flags:', ...c.flags.map((f) => `  - ${f.severity}: ${f.title}`));
  if (c.answers.length)
    lines.push('Answers:', ...c.answers.map((a) => `  - ${a.label}: ${a.answer}`));
  lines.push(
    'History:',
    ...c.history.map((e) => `  - ${e.at} ${e.type} by ${e.actor}${e.note ? `: ${e.note}` : ''}`),
  );
  lines.push(
    'Notifications:',
    ...c.notifications.map(
      (n) =>
        `  - ${n.id} to ${n.to} (${n.user.platform}:${n.user.id}) ${n.kind}: ${n.status}, ${n.attempts} attempt(s)${n.lastError ? `, last error: ${n.lastError}` : ''}`,
    ),
  );
  return lines.join('\n');
}
