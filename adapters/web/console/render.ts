/** HTML for the security contact's console. Every value from a case goes through `esc`. */
import { type Case, type CaseStatus, isFinal, STATUS_LABEL } from '../../../src/escalation/case.js';
import type { CaseFilter } from '../../../src/escalation/filter.js';
import type { NameBook } from '../../../src/escalation/names.js';
import { age } from '../../../src/escalation/render.js';
import { nzLong } from '../../../src/nz-time.js';
import type { AuditEvent } from '../../../src/storage/index.js';
import type { Viewer } from '../access.js';
import { esc } from '../html.js';

export const STATUSES: CaseStatus[] = [
  'new',
  'acknowledged',
  'info-requested',
  'resolved',
  'closed',
];
export const SOURCES = ['pretrip', 'debrief', 'question', 'report'] as const;
const SOURCE_LABEL: Record<(typeof SOURCES)[number], string> = {
  pretrip: 'Pre-trip checklist',
  debrief: 'Debrief',
  question: 'Question',
  report: 'Report',
};

/** A flash message shown once after a POST. */
export interface Flash {
  tone: 'success' | 'info' | 'warning';
  text: string;
}

/** "3.5 working hours left" or "overdue by 1 working hour". */
export function countdown(hours: number | undefined): string {
  if (hours === undefined) return '';
  const n = Math.round(Math.abs(hours) * 10) / 10;
  const unit = `working hour${n === 1 ? '' : 's'}`;
  return hours >= 0 ? `${n} ${unit} left` : `overdue by ${n} ${unit}`;
}

/** The header's right-hand side: who is signed in, and sign-out when there is a session. */
export function whoHeader(viewer: Viewer, csrf: string): string {
  const who = esc(viewer.name ?? viewer.email ?? viewer.id);
  const out = viewer.signedIn
    ? `<form method="post" action="/auth/logout" class="inline"><input type="hidden" name="csrf" value="${esc(csrf)}"><button type="submit" class="button button--quiet">Sign out</button></form>`
    : '<span class="console-local">Local mode (no sign-in)</span>';
  // Links only to the consoles this viewer may open.
  const links = [
    ...(viewer.roles.has('contact') ? ['<a href="/console/cases">Cases</a>'] : []),
    ...(viewer.roles.has('curator') ? ['<a href="/console/knowledge">Knowledge</a>'] : []),
    '<a href="/">Chat</a>',
  ];
  return `<nav class="console-nav" aria-label="Console">${links.join(' ')}</nav><p class="console-who">${who} ${out}</p>`;
}

function flashHtml(flash: Flash | undefined): string {
  if (!flash) return '';
  const role = flash.tone === 'warning' ? 'alert' : 'status';
  return `<p class="flash flash--${flash.tone}" role="${role}" id="flash" tabindex="-1">${esc(flash.text)}</p>`;
}

function option(value: string, label: string, current: string | undefined): string {
  return `<option value="${esc(value)}"${value === (current ?? '') ? ' selected' : ''}>${esc(label)}</option>`;
}

/** The query string for a filter, so links and exports keep it. */
export function filterQuery(f: CaseFilter): string {
  const q = new URLSearchParams();
  for (const k of ['status', 'source', 'from', 'to'] as const) {
    const v = f[k];
    if (v) q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The list page's main content. */
export function listPage(o: {
  cases: Case[];
  filter: CaseFilter;
  now: Date;
  hoursLeft: (c: Case) => number | undefined;
  names: NameBook;
  error?: string;
}): string {
  const f = o.filter;
  const rows = o.cases.map((c) => {
    const left = o.hoursLeft(c);
    return `<tr>
<th scope="row"><a href="/console/cases/${esc(c.id)}">${esc(c.id)}</a></th>
<td><span class="status status--${esc(c.status)}">${esc(STATUS_LABEL[c.status])}</span></td>
<td>${esc(SOURCE_LABEL[c.source])}</td>
<td><time datetime="${esc(c.raisedAt)}">${esc(age(c.raisedAt, o.now))}</time></td>
<td>${left === undefined ? '<span class="muted">acknowledged</span>' : `<span class="${left < 0 ? 'overdue' : ''}">${esc(countdown(left))}</span>`}</td>
<td>${esc(o.names.labelOf(c.reporter))}</td>
<td>${esc(c.summary)}</td>
</tr>`;
  });
  const query = filterQuery(f);
  return `<h1>Cases</h1>
${o.error ? `<p class="flash flash--warning" role="alert">${esc(o.error)}</p>` : ''}
<form method="get" action="/console/cases" class="filters" aria-label="Filter cases">
<div class="field"><label for="f-status">Status</label><select id="f-status" name="status">
${option('', 'Open (not finished)', f.status === 'open' ? '' : f.status)}${option('all', 'All', f.status)}${STATUSES.map((s) => option(s, STATUS_LABEL[s], f.status)).join('')}
</select></div>
<div class="field"><label for="f-source">Kind</label><select id="f-source" name="source">
${option('', 'Any kind', f.source)}${SOURCES.map((s) => option(s, SOURCE_LABEL[s], f.source)).join('')}
</select></div>
<div class="field"><label for="f-from">Raised from</label><input id="f-from" name="from" type="date" value="${esc(f.from ?? '')}"></div>
<div class="field"><label for="f-to">Raised to</label><input id="f-to" name="to" type="date" value="${esc(f.to ?? '')}"></div>
<button type="submit" class="button">Show cases</button>
<a href="/console/cases" class="button button--quiet">Clear filters</a>
</form>
<p class="exports">Download this list: <a href="/console/cases.csv${esc(query)}">CSV</a> · <a href="/console/cases.json${esc(query)}">JSON</a></p>
<div data-live="list" aria-live="polite">
<p class="count">${o.cases.length} case${o.cases.length === 1 ? '' : 's'}</p>
${
  o.cases.length
    ? `<div class="table-wrap" tabindex="0" role="region" aria-label="Cases"><table>
<caption class="visually-hidden">Cases, newest first</caption>
<thead><tr><th scope="col">Case</th><th scope="col">Status</th><th scope="col">Kind</th><th scope="col">Age</th><th scope="col">Acknowledge within</th><th scope="col">Raised by</th><th scope="col">Summary</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`
    : '<p>No cases match.</p>'
}
</div>`;
}

function actionForm(
  c: Case,
  csrf: string,
  action: string,
  label: string,
  note?: { label: string; required: boolean; hint: string },
): string {
  const id = `note-${action}`;
  return `<form method="post" action="/console/cases/${esc(c.id)}" class="action">
<input type="hidden" name="csrf" value="${esc(csrf)}"><input type="hidden" name="action" value="${esc(action)}">
${note ? `<div class="field"><label for="${id}">${esc(note.label)}</label><textarea id="${id}" name="note" rows="2" maxlength="2000" aria-describedby="${id}-hint"${note.required ? ' required' : ''}></textarea><p class="hint" id="${id}-hint">${esc(note.hint)}</p></div>` : ''}
<button type="submit" class="button${action === 'ack' ? ' button--primary' : ''}">${esc(label)}</button>
</form>`;
}

/** The detail page's main content: the case, every action, and its whole history and audit trail. */
export function detailPage(o: {
  c: Case;
  csrf: string;
  now: Date;
  hoursLeft: number | undefined;
  names: NameBook;
  audit: AuditEvent[];
  flash?: Flash;
  hasBackup: boolean;
}): string {
  const { c } = o;
  const rows: [string, string][] = [
    ['Status', esc(STATUS_LABEL[c.status])],
    ['Kind', esc(SOURCE_LABEL[c.source])],
    ['Raised', `${esc(nzLong(c.raisedAt))} (${esc(age(c.raisedAt, o.now))} ago)`],
    ['Raised by', esc(o.names.labelOf(c.reporter))],
    ['Assigned to', `the ${esc(c.assignedTo)} contact`],
    [
      'Acknowledge by',
      `${esc(nzLong(c.ackDueAt))}${o.hoursLeft === undefined ? '' : ` (${esc(countdown(o.hoursLeft))})`}`,
    ],
    ...(c.closedAt ? [['Finished', esc(nzLong(c.closedAt))] as [string, string]] : []),
  ];
  const open = !isFinal(c.status);
  const actions = open
    ? [
        c.status === 'new' ? actionForm(c, o.csrf, 'ack', 'Acknowledge') : '',
        actionForm(c, o.csrf, 'info', 'Ask for information', {
          label: 'Question for the reporter',
          required: true,
          hint: 'The reporter sees this and can reply.',
        }),
        actionForm(c, o.csrf, 'resolve', 'Resolve', {
          label: 'Outcome note (optional)',
          required: false,
          hint: 'The reporter sees this note.',
        }),
        actionForm(c, o.csrf, 'close', 'Close with no action', {
          label: 'Why no action is needed (optional)',
          required: false,
          hint: 'The reporter sees this note.',
        }),
        c.assignedTo === 'primary' && o.hasBackup
          ? actionForm(c, o.csrf, 'backup', 'Hand to backup')
          : '',
      ].join('\n')
    : `<p>This case is ${esc(STATUS_LABEL[c.status])}; there is nothing more to do.</p>`;
  const history = c.history
    .map(
      (e) =>
        `<li><time datetime="${esc(e.at)}">${esc(nzLong(e.at))}</time>: ${esc(e.type.replace(/-/g, ' '))} by ${esc(o.names.label(e.actor))}${e.count && e.count > 1 ? ` (${e.count} times, last ${esc(nzLong(e.lastAt ?? e.at))})` : ''}${e.note ? `: “${esc(e.note)}”` : ''}</li>`,
    )
    .join('\n');
  const deliveries = c.notifications
    .map(
      (n) =>
        `<li>${esc(n.kind)} to ${n.to === 'reporter' ? 'the reporter' : `the ${esc(n.to)} contact`} (${esc(o.names.labelOf(n.user))}): ${esc(n.status)}, ${n.attempts} attempt${n.attempts === 1 ? '' : 's'}${n.lastError ? `, last error: ${esc(n.lastError)}` : ''}</li>`,
    )
    .join('\n');
  const audit = o.audit
    .map(
      (e) =>
        `<li><time datetime="${esc(e.at)}">${esc(nzLong(e.at))}</time>: ${esc(e.type)} by ${esc(o.names.label(e.actor))}</li>`,
    )
    .join('\n');
  const list = (items: string, empty: string) => (items ? `<ul>${items}</ul>` : `<p>${empty}</p>`);
  return `<p class="back"><a href="/console/cases">All cases</a></p>
<h1>Case ${esc(c.id)}</h1>
${flashHtml(o.flash)}
<div data-live="case" data-case="${esc(c.id)}">
<dl class="facts">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>
<h2>Summary</h2><p>${esc(c.summary)}</p>
${c.details ? `<h2>In their words</h2><p class="words">${esc(c.details)}</p>` : ''}
${c.flags.length ? `<h2>Flags</h2><ul>${c.flags.map((f) => `<li>${esc(f.severity)}: ${esc(f.title)}</li>`).join('')}</ul>` : ''}
${c.answers.length ? `<h2>Answers</h2><ul>${c.answers.map((a) => `<li>${esc(a.label)}: ${esc(a.answer)}</li>`).join('')}</ul>` : ''}
<h2>History</h2>${list(history, 'Nothing yet.')}
<h2>Messages</h2>${list(deliveries, 'None.')}
<h2>Audit log</h2>${list(audit, 'No entries.')}
</div>
<section aria-labelledby="actions-heading" class="actions" data-live="actions" data-case="${esc(c.id)}">
<h2 id="actions-heading">Actions</h2>
${actions}
</section>`;
}
