import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Bot } from '../../src/bot.js';
import type { Viewer, WebAccess } from './access.js';
import { ChatRequestSchema, toApiReply, toIncoming } from './api.js';
import { LocalAccess } from './auth/access.js';
import {
  HttpError,
  type Route,
  readJson,
  SECURITY_HEADERS,
  sendError,
  sendJson,
  sendStatic,
} from './http.js';
import type { ChatInbox } from './inbox.js';
import { type MetricsSource, metricsHandler, readyHandler } from './metrics.js';
import { parseTarget, refuseConnect, refuseUnparsable } from './requests.js';

const PUBLIC = join(dirname(fileURLToPath(import.meta.url)), 'public');
const STATIC: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
};

/** Options for the web server. */
export interface WebServerOptions {
  bot: Bot;
  inbox: ChatInbox;
  logger: Logger;
  /** Facts for GET /healthz. */
  health: () => Record<string, unknown>;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** GET /readyz: resolves when the bot can serve, rejects with the reason. No route when absent. */
  ready?: () => Promise<void>;
  /** GET /metrics, only for requests bearing `token`. Absent: /metrics is 404. */
  metrics?: { source: MetricsSource; token: string };
  /** Who is asking (sign-in or local mode). Default: local mode with no contacts known. */
  access?: WebAccess;
}

/** A handler for every path under a prefix, such as /console/cases/. */
interface PrefixRoute {
  method: Route['method'];
  prefix: string;
  handler: Route['handler'];
}

/** The HTTP server for the web chat and its JSON API. Slack and Teams mount their routes here too. */
export class WebServer {
  readonly server: Server;
  private readonly routes = new Map<string, Route>();
  private readonly prefixes: PrefixRoute[] = [];
  private readonly files = new Map<string, [Buffer, string]>();
  /** Requests being answered (event streams excepted), so a shutdown lets them finish. */
  private inFlight = 0;
  private idle: (() => void) | undefined;
  /** Open event streams, ended at shutdown (a page reconnects, to this replica or another). */
  private readonly streams = new Set<ServerResponse>();
  /** Who is asking: the signed-in session, or (local mode) what the page says. */
  readonly access: WebAccess;

  constructor(private readonly opts: WebServerOptions) {
    this.access = opts.access ?? new LocalAccess(() => undefined);
    for (const [path, [file, type]] of Object.entries(STATIC)) {
      this.files.set(path, [readFileSync(join(PUBLIC, file)), type]);
    }
    if (this.access.signInRequired) {
      // The chat page itself is for people who are signed in; everyone else goes to sign in.
      const [page, type] = this.files.get('/') as [Buffer, string];
      this.mount({
        method: 'GET',
        path: '/',
        handler: async (req, res) => {
          if (await this.access.require(req, res, 'any', 'page')) sendStatic(res, type, page);
        },
      });
    }
    this.mount({ method: 'GET', path: '/api/me', handler: (req, res) => this.me(req, res) });
    const health: Route['handler'] = (_q, res) =>
      sendJson(res, 200, { status: 'ok', ...opts.health() });
    // Load balancers probe with HEAD; Node sends the headers of the GET answer and no body.
    this.mount({ method: 'GET', path: '/healthz', handler: health });
    this.mount({ method: 'HEAD', path: '/healthz', handler: health });
    // /healthz says the process is up; /readyz says it can serve (the store answers).
    if (opts.ready) {
      const ready = readyHandler(opts.ready, opts.logger);
      this.mount({ method: 'GET', path: '/readyz', handler: ready });
      this.mount({ method: 'HEAD', path: '/readyz', handler: ready });
    }
    if (opts.metrics) {
      const metrics = metricsHandler(opts.metrics.source, opts.metrics.token);
      this.mount({ method: 'GET', path: '/metrics', handler: metrics });
      this.mount({ method: 'HEAD', path: '/metrics', handler: metrics });
    }
    this.mount({ method: 'POST', path: '/api/chat', handler: (req, res) => this.chat(req, res) });
    this.mount({
      method: 'GET',
      path: '/api/inbox',
      handler: (req, res, url) => this.inbox(req, res, url),
    });
    this.mount({
      method: 'GET',
      path: '/api/events',
      handler: (req, res, url) => this.events(req, res, url),
    });
    this.server = createServer((req, res) => {
      this.inFlight++;
      res.once('close', () => {
        if (--this.inFlight === 0) this.idle?.();
      });
      this.dispatch(req, res).catch((err: unknown) => this.lastResort(err, res));
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      this.opts.logger.debug({ code: err.code }, 'refused a request the HTTP parser rejected');
      refuseUnparsable(err, socket);
    });
    this.server.on('connect', (_req, socket) => refuseConnect(socket));
    // Slow clients must not hold sockets forever.
    this.server.requestTimeout = 30_000;
    this.server.headersTimeout = 10_000;
  }

  /** Adds a route; later adapters (Slack HTTP mode, Teams) share this server. */
  mount(route: Route): void {
    this.routes.set(`${route.method} ${route.path}`, route);
  }

  /** Adds a handler for every path that starts with `prefix` (exact routes win). */
  mountPrefix(route: PrefixRoute): void {
    this.prefixes.push(route);
  }

  /** Starts listening; resolves with the base URL. */
  listen(port: number, host: string): Promise<URL> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address() as AddressInfo;
        const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
        resolve(new URL(`http://${shownHost}:${addr.port}/`));
      });
    });
  }

  /**
   * Stops accepting connections, ends event streams, lets requests being answered (a user's
   * turn) finish for up to `graceMs`, then closes whatever is left.
   */
  async close(graceMs = 10_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    for (const res of this.streams) res.end();
    if (this.inFlight > this.streams.size) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        timer.unref();
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.server.closeAllConnections();
    await closed;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path = '';
    try {
      const url = parseTarget(req.url);
      path = url.pathname;
      const route = this.routes.get(`${req.method} ${path}`);
      if (route) return await route.handler(req, res, url);
      const prefixed = this.prefixes.find(
        (r) => r.method === req.method && path.startsWith(r.prefix),
      );
      if (prefixed) return await prefixed.handler(req, res, url);
      const file = req.method === 'GET' || req.method === 'HEAD' ? this.files.get(path) : undefined;
      if (file) return sendStatic(res, file[1], file[0]);
      const allowed = [
        ...[...this.routes.values()].filter((r) => r.path === path).map((r) => r.method),
        ...(this.files.has(path) ? ['GET', 'HEAD'] : []),
      ];
      if (allowed.length) {
        res.setHeader('allow', allowed.join(', '));
        throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${path}.`);
      }
      throw new HttpError(404, 'not_found', `Nothing at ${path}.`);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) return sendError(res, err);
      this.opts.logger.error({ err, path }, 'request failed');
      sendError(
        res,
        new HttpError(500, 'internal', 'Something went wrong on our side. Please try again.'),
      );
    }
  }

  /** Only reached if answering an error failed too: log it and drop the connection. */
  private lastResort(err: unknown, res: ServerResponse): void {
    this.opts.logger.error({ err }, 'could not answer a request');
    res.destroy();
  }

  /** Who the page is: with sign-in, from the session; the page uses it instead of its picker. */
  private async me(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { access } = this;
    const viewer = await access.viewer(req);
    if (!viewer && access.signInRequired)
      throw new HttpError(401, 'sign_in', 'Please sign in first.');
    sendJson(res, 200, {
      signInRequired: access.signInRequired,
      ...(viewer
        ? {
            signedIn: viewer.signedIn,
            id: viewer.id,
            name: viewer.name,
            email: viewer.email,
            roles: [...viewer.roles],
            csrfToken: access.csrfToken(viewer),
          }
        : { signedIn: false, roles: [] }),
    });
  }

  /**
   * With sign-in: the signed-in viewer (or a 401), after checking that a page-sent `userId`
   * names the same person. In local mode: undefined, and the page's id stands.
   */
  private async signedIn(
    req: IncomingMessage,
    res: ServerResponse,
    claimed: string | null | undefined,
  ): Promise<Viewer | undefined | false> {
    if (!this.access.signInRequired) return undefined;
    const viewer = await this.access.require(req, res, 'any', 'api');
    if (!viewer) return false;
    if (claimed && claimed !== viewer.id)
      throw new HttpError(403, 'forbidden', 'userId does not match who is signed in.');
    return viewer;
  }

  private async chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const viewer = await this.signedIn(req, res, undefined);
    if (viewer === false) return;
    if (viewer) this.access.checkCsrf(req, viewer);
    else (this.access as Partial<LocalAccess>).checkOrigin?.(req);
    const body = await readJson(req, this.opts.maxBodyBytes ?? 64 * 1024);
    const parsed = ChatRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = chatIssue(parsed.error.issues[0], body);
      const where = issue?.path.length ? `"${issue.path.join('.')}" ` : '';
      throw new HttpError(
        400,
        'bad_request',
        `Send {userId, text} or {userId, action: {id, value}}. ${where}${issue?.message ?? ''}`.trim(),
      );
    }
    if (viewer && parsed.data.userId && parsed.data.userId !== viewer.id)
      throw new HttpError(403, 'forbidden', 'userId does not match who is signed in.');
    const who = viewer || { id: parsed.data.userId ?? '', name: parsed.data.userName };
    if (!who.id)
      throw new HttpError(
        400,
        'bad_request',
        'Send {userId, text} or {userId, action: {id, value}}.',
      );
    const incoming = toIncoming(parsed.data, who);
    const before = await this.opts.inbox.lastId();
    const replies = await this.opts.bot.handle(incoming);
    // A case card the page has just redrawn in place is not sent again as a new message.
    const fresh = await this.opts.inbox.withoutUpdated(incoming.user.id, before, replies);
    sendJson(res, 200, { replies: fresh.map(toApiReply) });
  }

  private userIdParam(url: URL): string {
    const id = url.searchParams.get('userId') ?? '';
    if (!/^[A-Za-z0-9._@:-]{1,128}$/.test(id)) {
      throw new HttpError(
        400,
        'bad_request',
        'Add ?userId= with the same id you use for /api/chat.',
      );
    }
    return id;
  }

  /** The inbox a request may read: the signed-in viewer's, or (local mode) the one it names. */
  private async inboxOwner(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<string | undefined> {
    const viewer = await this.signedIn(req, res, url.searchParams.get('userId'));
    if (viewer === false) return undefined;
    return viewer ? viewer.id : this.userIdParam(url);
  }

  private async inbox(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const owner = await this.inboxOwner(req, res, url);
    if (owner === undefined) return;
    const { messages, updates } = await this.opts.inbox.drain(owner);
    sendJson(res, 200, {
      messages: messages.map((m) => ({ ...toApiReply(m.reply), id: m.id })),
      updates: updates.map((m) => ({ ...toApiReply(m.reply), id: m.id, replaces: m.replaces })),
    });
  }

  private async events(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const userId = await this.inboxOwner(req, res, url);
    if (userId === undefined) return;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    const header = Number(req.headers['last-event-id']);
    const lastEventId = Number.isInteger(header) && header > 0 ? header : undefined;
    const unsubscribe = this.opts.inbox.subscribe(
      userId,
      (m) => {
        // An update carries the id of the message it replaces; the page redraws that one.
        const [event, data] =
          m.replaces === undefined
            ? ['message', toApiReply(m.reply)]
            : ['update', { ...toApiReply(m.reply), replaces: m.replaces }];
        res.write(`id: ${m.id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      lastEventId,
    );
    const heartbeat = setInterval(() => res.write(': ping\n\n'), 25_000);
    heartbeat.unref();
    this.streams.add(res);
    req.on('close', () => {
      this.streams.delete(res);
      clearInterval(heartbeat);
      unsubscribe();
    });
  }
}

/**
 * What is wrong with a chat request, for its 400: zod reports a body that fits neither form as
 * "Invalid input", so the problem is taken from the form the body meant (an action when it has
 * one, else a message), naming the field.
 */
function chatIssue(
  issue: z.core.$ZodIssue | undefined,
  body: unknown,
): z.core.$ZodIssue | undefined {
  if (issue?.code !== 'invalid_union' || issue.errors.length < 2) return issue;
  const meant = body && typeof body === 'object' && 'action' in body ? 1 : 0;
  return issue.errors[meant]?.[0] ?? issue;
}
