/**
 * The knowledge console, /console/knowledge, for curators only: entries due for review, entries
 * with no primary source, Helpful / Not helpful counts with their trend, and the unanswered
 * questions grouped (with a CSV export). Server-rendered HTML with every value escaped, no
 * scripts, and a stylesheet of its own (the CSP allows only 'self').
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CurationView, UnansweredGroup } from '../../../src/curation/index.js';
import { toCsv } from '../../../src/escalation/export.js';
import { nzIso, nzShort } from '../../../src/nz-time.js';
import type { WebAccess } from '../access.js';
import { pageCsp } from '../html.js';
import { type Route, SECURITY_HEADERS } from '../http.js';
import { whoHeader } from './render.js';
import { CONSOLE_CSS_PATH, consoleCss } from './style.js';

export { CONSOLE_CSS_PATH };

/** What the console needs: who may see it, and the core's view of the guidance. */
export interface KnowledgeConsoleOptions {
  access: WebAccess;
  curation: { view(): Promise<CurationView> };
}

/** The page's path, its CSV export and its stylesheet. */
export const KNOWLEDGE_PATH = '/console/knowledge';
export const UNANSWERED_CSV_PATH = '/console/knowledge/unanswered.csv';

const FILTERS = {
  all: 'All',
  'no-guidance': 'No guidance',
  declined: 'Declined (out of scope)',
} as const;
type Filter = keyof typeof FILTERS;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function filterOf(url: URL): Filter {
  const v = url.searchParams.get('outcome') ?? 'all';
  return v in FILTERS ? (v as Filter) : 'all';
}

function filtered(groups: UnansweredGroup[], filter: Filter): UnansweredGroup[] {
  if (filter === 'all') return groups;
  return groups.filter((g) => g.outcomes[filter] > 0);
}

function send(
  res: ServerResponse,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
) {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

const days = (n: number) => (n === 1 || n === -1 ? `${n} day` : `${n} days`);

function entryCell(id: string, titles: ReadonlyMap<string, string>): string {
  const title = titles.get(id);
  return title
    ? `${escapeHtml(title)} <span class="id">${escapeHtml(id)}</span>`
    : `<span class="id">${escapeHtml(id)}</span> (no longer in the guidance)`;
}

function reviewSection(view: CurationView): string {
  const { health } = view;
  const rows = [...health.overdue, ...health.dueSoon];
  const body = rows.length
    ? `<table><caption>Entries past or within ${health.soonDays} days of their review-by date</caption>
<thead><tr><th scope="col">Entry</th><th scope="col">Review by</th><th scope="col">Status</th></tr></thead>
<tbody>${rows
        .map(
          (e) =>
            `<tr><td>${entryCell(e.id, view.titles)}</td><td>${escapeHtml(e.reviewBy)}</td><td>${
              e.daysLeft < 0
                ? `<strong class="bad">Overdue by ${days(-e.daysLeft)}</strong>`
                : `Due in ${days(e.daysLeft)}`
            }</td></tr>`,
        )
        .join('\n')}</tbody></table>`
    : `<p>No entry is past or within ${health.soonDays} days of its review-by date.</p>`;
  const noPrimary = health.noPrimarySource.length
    ? `<ul>${health.noPrimarySource.map((e) => `<li>${entryCell(e.id, view.titles)}</li>`).join('')}</ul>`
    : '<p>Every entry cites at least one primary source.</p>';
  return `<section aria-labelledby="review"><h2 id="review">Due for review</h2>${body}
<h3>No primary source (${health.noPrimarySource.length})</h3>
<p>Entries whose sources are all news reports, mirrors or copies.</p>${noPrimary}</section>`;
}

function feedbackSection(view: CurationView): string {
  const { health } = view;
  const trend = { rising: 'More Not helpful', falling: 'Fewer Not helpful', steady: 'No change' };
  const body = health.feedback.length
    ? `<table><caption>Helpful and Not helpful, most Not helpful in the last ${health.windowDays} days first</caption>
<thead><tr><th scope="col">Entry</th><th scope="col">Helpful</th><th scope="col">Not helpful</th><th scope="col">Last ${health.windowDays} days</th><th scope="col">${health.windowDays} days before</th><th scope="col">Trend</th></tr></thead>
<tbody>${health.feedback
        .map(
          (f) =>
            `<tr><td>${entryCell(f.id, view.titles)}</td><td>${f.helpful}</td><td>${f.notHelpful}</td><td>${f.recent.helpful} / ${f.recent.notHelpful}</td><td>${f.previous.helpful} / ${f.previous.notHelpful}</td><td>${trend[f.trend]}</td></tr>`,
        )
        .join('\n')}</tbody></table>
<p class="note">The two windows show Helpful / Not helpful.</p>`
    : '<p>No feedback yet.</p>';
  return `<section aria-labelledby="feedback"><h2 id="feedback">Feedback</h2>${body}</section>`;
}

function groupRow(g: UnansweredGroup, titles: ReadonlyMap<string, string>): string {
  const closest = g.closestEntryId
    ? `${entryCell(g.closestEntryId, titles)}${g.closestScore !== undefined ? ` <span class="id">score ${escapeHtml(g.closestScore)}</span>` : ''}`
    : 'None';
  const outcome = [
    g.outcomes['no-guidance'] ? `No guidance: ${g.outcomes['no-guidance']}` : '',
    g.outcomes.declined
      ? `Declined: ${g.outcomes.declined}${g.declinedKinds.length ? ` (${escapeHtml(g.declinedKinds.join(', '))})` : ''}`
      : '',
  ]
    .filter(Boolean)
    .join('<br>');
  return `<tr><td>${g.count}</td><td><ul class="examples">${g.examples.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></td><td>${closest}</td><td>${outcome}</td><td>${escapeHtml(nzShort(g.firstAt))}</td><td>${escapeHtml(nzShort(g.lastAt))}</td></tr>`;
}

function unansweredSection(view: CurationView, filter: Filter): string {
  const { recording } = view;
  const status = recording.enabled
    ? `<p>Questions the bot could not answer are kept for ${days(recording.retentionDays)}, with emails, phone numbers, links, @mentions and names around the question redacted, and no user id.</p>`
    : `<p><strong>Recording is off</strong> (RECORD_UNANSWERED=false): no new questions are kept. Anything below was recorded earlier and is purged after ${days(recording.retentionDays)}.</p>`;
  const groups = filtered(view.unanswered, filter);
  const nav = `<nav aria-label="Filter by outcome"><ul class="filters">${(
    Object.keys(FILTERS) as Filter[]
  )
    .map((f) => {
      const href = f === 'all' ? KNOWLEDGE_PATH : `${KNOWLEDGE_PATH}?outcome=${f}`;
      return `<li><a href="${escapeHtml(href)}"${f === filter ? ' aria-current="page"' : ''}>${escapeHtml(FILTERS[f])}</a></li>`;
    })
    .join('')}</ul></nav>`;
  const csvHref =
    filter === 'all' ? UNANSWERED_CSV_PATH : `${UNANSWERED_CSV_PATH}?outcome=${filter}`;
  const table = groups.length
    ? `<table><caption>${groups.length} ${groups.length === 1 ? 'group' : 'groups'} of similar questions, the most asked first</caption>
<thead><tr><th scope="col">Asked</th><th scope="col">Examples</th><th scope="col">Closest entry</th><th scope="col">Outcome</th><th scope="col">First asked</th><th scope="col">Last asked</th></tr></thead>
<tbody>${groups.map((g) => groupRow(g, view.titles)).join('\n')}</tbody></table>`
    : '<p>No unanswered questions to show.</p>';
  return `<section aria-labelledby="unanswered"><h2 id="unanswered">Questions without an answer</h2>${status}${nav}
<p><a href="${escapeHtml(csvHref)}" download>Download these groups as CSV</a></p>${table}</section>`;
}

/** The whole page; `header` is the escaped who-is-signed-in part (see `whoHeader`). */
export function renderKnowledgePage(
  view: CurationView,
  filter: Filter = 'all',
  header = '',
): string {
  return `<!doctype html>
<html lang="en-NZ">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Knowledge console: Sister City Advisor</title>
<link rel="stylesheet" href="${CONSOLE_CSS_PATH}">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="console-header"><p class="console-brand"><a href="/">Sister City Advisor</a></p>${header}</header>
<main id="main" tabindex="-1">
<h1>Knowledge console</h1>
<p>As of ${escapeHtml(view.health.today)} (New Zealand time).</p>
<nav aria-label="Sections"><ul class="filters"><li><a href="#review">Due for review</a></li><li><a href="#feedback">Feedback</a></li><li><a href="#unanswered">Questions without an answer</a></li></ul></nav>
${reviewSection(view)}
${feedbackSection(view)}
${unansweredSection(view, filter)}
</main>
</body>
</html>
`;
}

/** The unanswered groups as CSV: one row per group, cells guarded against spreadsheet formulas. */
export function unansweredCsv(view: CurationView, filter: Filter = 'all'): string {
  return toCsv(
    [
      'count',
      'first_asked',
      'last_asked',
      'closest_entry_id',
      'closest_entry_title',
      'closest_score',
      'no_guidance',
      'declined',
      'declined_kinds',
      'example_1',
      'example_2',
      'example_3',
    ],
    filtered(view.unanswered, filter).map((g) => [
      g.count,
      nzIso(g.firstAt),
      nzIso(g.lastAt),
      g.closestEntryId ?? '',
      g.closestEntryId ? (view.titles.get(g.closestEntryId) ?? '') : '',
      g.closestScore ?? '',
      g.outcomes['no-guidance'],
      g.outcomes.declined,
      g.declinedKinds.join(' '),
      g.examples[0] ?? '',
      g.examples[1] ?? '',
      g.examples[2] ?? '',
    ]),
  );
}

/** The console's routes, for `WebServer.mount`. */
export function knowledgeConsoleRoutes(opts: KnowledgeConsoleOptions): Route[] {
  const { access, curation } = opts;
  const page = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const viewer = await access.require(req, res, 'curator', 'page');
    if (!viewer) return;
    const header = whoHeader(viewer, access.csrfToken(viewer));
    send(
      res,
      'text/html; charset=utf-8',
      renderKnowledgePage(await curation.view(), filterOf(url), header),
      // Sign-out posts to /auth/logout, which sends the browser on to the provider's sign-out.
      { 'content-security-policy': pageCsp([...(access.formOrigins ?? [])]) },
    );
  };
  const csv = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (!(await access.require(req, res, 'curator', 'page'))) return;
    const filter = filterOf(url);
    send(res, 'text/csv; charset=utf-8', unansweredCsv(await curation.view(), filter), {
      'content-disposition': `attachment; filename="unanswered-${filter}.csv"`,
    });
  };
  const css = (_req: IncomingMessage, res: ServerResponse) =>
    send(res, 'text/css; charset=utf-8', consoleCss(), { 'cache-control': 'no-cache' });
  return [
    { method: 'GET', path: KNOWLEDGE_PATH, handler: page },
    { method: 'HEAD', path: KNOWLEDGE_PATH, handler: page },
    { method: 'GET', path: UNANSWERED_CSV_PATH, handler: csv },
    { method: 'GET', path: CONSOLE_CSS_PATH, handler: css },
  ];
}
