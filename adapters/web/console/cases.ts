/**
 * The security contact's console at /console/cases: open cases with their acknowledgement
 * countdown, filters, a case's whole history with every action, CSV and JSON exports, and live
 * updates over server-sent events. It only translates: rules and audit entries come from
 * CaseService, the same as the chat buttons.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../../src/clock.js';
import { casesToCsv, casesToJson } from '../../../src/escalation/export.js';
import type { CaseFilter } from '../../../src/escalation/filter.js';
import { NameBook } from '../../../src/escalation/names.js';
import type { CaseService, ContactAction } from '../../../src/escalation/service.js';
import type { UserRef } from '../../../src/model.js';
import type { Viewer, WebAccess } from '../access.js';
import { readForm, redirect, sendPage } from '../html.js';
import { HttpError, type Route, SECURITY_HEADERS, sendStatic } from '../http.js';
import { detailPage, type Flash, listPage, SOURCES, STATUSES, whoHeader } from './render.js';
import { CONSOLE_CSS_PATH, consoleCss } from './style.js';

const PUBLIC = join(dirname(fileURLToPath(import.meta.url)), 'public');
const CASE_ID = /^[A-Z]{2}-\d{4}-\d{4,6}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const FilterSchema = z.strictObject({
  status: z
    .enum(['open', 'all', ...STATUSES], { message: 'Choose a status from the list.' })
    .optional(),
  source: z.enum(SOURCES, { message: 'Choose a kind from the list.' }).optional(),
  from: z.string().regex(DAY, 'Give the "from" date as YYYY-MM-DD.').optional(),
  to: z.string().regex(DAY, 'Give the "to" date as YYYY-MM-DD.').optional(),
});

const ActionSchema = z.strictObject({
  csrf: z.string(),
  action: z.enum(['ack', 'info', 'resolve', 'close', 'backup'], {
    message: 'That action is not one the console knows.',
  }),
  note: z.string().max(2000, 'Keep the note under 2,000 characters.').optional(),
});

/** What the console needs. */
export interface CaseConsoleOptions {
  cases: CaseService;
  clock: Clock;
  logger: Logger;
}

/** Something with routes to mount: the WebServer. */
interface Mountable {
  readonly access: WebAccess;
  mount(route: Route): void;
  mountPrefix(route: { method: Route['method']; prefix: string; handler: Route['handler'] }): void;
}

/** Mounts the console's routes on the web server. */
export function mountCaseConsole(web: Mountable, o: CaseConsoleOptions): CaseConsole {
  const console = new CaseConsole(web.access, o);
  for (const route of console.routes()) web.mount(route);
  web.mountPrefix({
    method: 'GET',
    prefix: '/console/cases/',
    handler: (q, s, u) => console.detail(q, s, u),
  });
  web.mountPrefix({
    method: 'POST',
    prefix: '/console/cases/',
    handler: (q, s, u) => console.act(q, s, u),
  });
  return console;
}

/** The console's handlers. */
export class CaseConsole {
  /** Messages to show once after a redirect, by a random token in the URL (bounded, short-lived). */
  private readonly flashes = new Map<string, Flash & { viewer: string; exp: number }>();
  private readonly files = new Map<string, [Buffer, string]>([
    [CONSOLE_CSS_PATH, [consoleCss(), 'text/css; charset=utf-8']],
    [
      '/console/cases.js',
      [readFileSync(join(PUBLIC, 'cases.js')), 'text/javascript; charset=utf-8'],
    ],
  ]);

  constructor(
    private readonly access: WebAccess,
    private readonly o: CaseConsoleOptions,
  ) {}

  /** The exact-path routes (the detail pages are mounted by prefix). */
  routes(): Route[] {
    const statics: Route[] = [...this.files].map(([path, [body, type]]) => ({
      method: 'GET',
      path,
      handler: (_q, res) => sendStatic(res, type, body),
    }));
    return [
      ...statics,
      { method: 'GET', path: '/console/cases', handler: (q, s, u) => this.list(q, s, u) },
      {
        method: 'GET',
        path: '/console/cases.csv',
        handler: (q, s, u) => this.export(q, s, u, 'csv'),
      },
      {
        method: 'GET',
        path: '/console/cases.json',
        handler: (q, s, u) => this.export(q, s, u, 'json'),
      },
      { method: 'GET', path: '/console/cases/events', handler: (q, s) => this.events(q, s) },
    ];
  }

  private user(v: Viewer): UserRef {
    return { platform: 'web', id: v.id, ...(v.name ? { name: v.name } : {}) };
  }

  private page(res: ServerResponse, viewer: Viewer, title: string, body: string, status = 200) {
    sendPage(res, {
      status,
      title,
      body,
      header: whoHeader(viewer, this.access.csrfToken(viewer)),
      styles: [CONSOLE_CSS_PATH],
      scripts: ['/console/cases.js'],
      // Sign-out posts here and is sent on to the provider's sign-out page.
      formTargets: [...(this.access.formOrigins ?? [])],
    });
  }

  private parseFilter(url: URL): { filter: CaseFilter; error?: string } {
    const raw = Object.fromEntries(
      [...url.searchParams].filter(([k, v]) => v !== '' && k !== 'userId'),
    );
    const parsed = FilterSchema.safeParse(raw);
    if (parsed.success) return { filter: parsed.data };
    return { filter: {}, error: parsed.error.issues[0]?.message ?? 'That filter is not valid.' };
  }

  async list(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const viewer = await this.access.require(req, res, 'contact', 'page');
    if (!viewer) return;
    const { filter, error } = this.parseFilter(url);
    const cases = await this.o.cases.casesFor(this.user(viewer), filter);
    if (!cases) throw new HttpError(403, 'forbidden', 'This is for security contacts only.');
    const body = listPage({
      cases,
      filter,
      now: this.o.clock.now(),
      hoursLeft: (c) => this.o.cases.ackHoursLeft(c),
      names: new NameBook(cases, this.o.cases.contacts),
      ...(error ? { error } : {}),
    });
    this.page(res, viewer, 'Cases', body, error ? 400 : 200);
  }

  async export(req: IncomingMessage, res: ServerResponse, url: URL, kind: 'csv' | 'json') {
    const viewer = await this.access.require(req, res, 'contact', 'api');
    if (!viewer) return;
    const { filter, error } = this.parseFilter(url);
    if (error) throw new HttpError(400, 'bad_request', error);
    const cases = (await this.o.cases.casesFor(this.user(viewer), filter)) ?? [];
    const names = new NameBook(cases, this.o.cases.contacts);
    const body =
      kind === 'csv'
        ? casesToCsv(cases, names)
        : JSON.stringify(casesToJson(cases, names), null, 2);
    const day = this.o.clock.now().toISOString().slice(0, 10);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type':
        kind === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="cases-${day}.${kind}"`,
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  private caseId(url: URL): string {
    const id = decodeURIComponent(url.pathname.slice('/console/cases/'.length));
    if (!CASE_ID.test(id)) throw new HttpError(404, 'not_found', 'There is no such case.');
    return id;
  }

  async detail(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const viewer = await this.access.require(req, res, 'contact', 'page');
    if (!viewer) return;
    const id = this.caseId(url);
    const user = this.user(viewer);
    const c = await this.o.cases.caseFor(user, id);
    if (!c) {
      return this.page(
        res,
        viewer,
        'Not found',
        `<h1>There is no case ${id}</h1><p><a href="/console/cases">All cases</a></p>`,
        404,
      );
    }
    const flash = this.takeFlash(url.searchParams.get('flash'), viewer);
    const body = detailPage({
      c,
      csrf: this.access.csrfToken(viewer),
      now: this.o.clock.now(),
      hoursLeft: this.o.cases.ackHoursLeft(c),
      names: new NameBook([c], this.o.cases.contacts),
      audit: (await this.o.cases.auditFor(user, id)) ?? [],
      hasBackup: this.o.cases.contacts.backup !== undefined,
      ...(flash ? { flash } : {}),
    });
    this.page(res, viewer, `Case ${c.id}`, body);
  }

  /** A case action from a form: checked, done by CaseService, then back to the case (PRG). */
  async act(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const viewer = await this.access.require(req, res, 'contact', 'api');
    if (!viewer) return;
    const id = this.caseId(url);
    const form = Object.fromEntries(await readForm(req, 16 * 1024));
    this.access.checkCsrf(req, viewer, typeof form.csrf === 'string' ? form.csrf : '');
    const parsed = ActionSchema.safeParse(form);
    let flash: Flash;
    if (!parsed.success) {
      flash = {
        tone: 'warning',
        text: `Nothing was changed. ${parsed.error.issues[0]?.message ?? ''}`.trim(),
      };
    } else {
      const { action, note } = parsed.data;
      const outcome = await this.o.cases.perform(
        this.user(viewer),
        action as ContactAction,
        id,
        note,
      );
      flash = { tone: outcome.ok ? 'success' : outcome.tone, text: outcome.message };
    }
    redirect(res, `/console/cases/${id}?flash=${this.putFlash(flash, viewer)}#flash`);
  }

  private putFlash(flash: Flash, viewer: Viewer): string {
    const token = randomBytes(12).toString('base64url');
    const now = this.o.clock.now().getTime();
    for (const [k, v] of this.flashes)
      if (v.exp < now || this.flashes.size > 1000) this.flashes.delete(k);
    this.flashes.set(token, { ...flash, viewer: viewer.id, exp: now + 5 * 60_000 });
    return token;
  }

  private takeFlash(token: string | null, viewer: Viewer): Flash | undefined {
    const f = token ? this.flashes.get(token) : undefined;
    if (!f || f.viewer !== viewer.id || f.exp < this.o.clock.now().getTime()) return undefined;
    return { tone: f.tone, text: f.text };
  }

  /** Server-sent events: `case` with the id of each case that changes. */
  async events(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const viewer = await this.access.require(req, res, 'contact', 'api');
    if (!viewer) return;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    const off = this.o.cases.onChange((id) =>
      res.write(`event: case\ndata: ${JSON.stringify({ id })}\n\n`),
    );
    const heartbeat = setInterval(() => res.write(': ping\n\n'), 25_000);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      off();
    });
  }
}
