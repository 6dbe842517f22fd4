/**
 * GET /metrics and GET /readyz. The core keeps the registry; this file decides who may read it:
 * the main server serves it only to a bearer of METRICS_TOKEN, and `MetricsListener` serves it
 * without a token on a port bound to 127.0.0.1.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { isAdvisorError } from '../../src/errors.js';
import { type Handler, HttpError, SECURITY_HEADERS, sendError, sendJson } from './http.js';
import { parseTarget, refuseConnect, refuseUnparsable } from './requests.js';

/** Where the metrics text comes from (the core's `Metrics`). */
export interface MetricsSource {
  render(): Promise<string>;
  readonly contentType: string;
}

/** The only address the token-free metrics listener binds to. */
export const METRICS_HOST = '127.0.0.1';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * True when `header` is `Bearer <token>`. Both sides are hashed first, so the comparison takes
 * the same time whatever the length or content of the guess.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1];
  const same = timingSafeEqual(digest(given ?? ''), digest(token));
  return given !== undefined && same;
}

/** Serves the metrics text; with a `token`, only to a request that bears it (else 401). */
export function metricsHandler(source: MetricsSource, token?: string): Handler {
  return async (req, res) => {
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      res.setHeader('www-authenticate', 'Bearer realm="metrics"');
      throw new HttpError(
        401,
        'unauthorized',
        'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".',
      );
    }
    const text = await source.render();
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': source.contentType,
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
}

const TIMED_OUT = Symbol('timed out');

/** How a failed readiness check is reported: a stable code, never a path or a stack. */
function reasonOf(err: unknown): string {
  if (err === TIMED_OUT) return 'store_timeout';
  return isAdvisorError(err) ? err.code : 'store_unavailable';
}

/**
 * 200 `{"ready":true}` when `ready()` resolves within `timeoutMs`; otherwise 503
 * `{"ready":false,"reason":...}`. A change either way is logged once, not on every probe.
 */
export function readyHandler(
  ready: () => Promise<void>,
  logger: Logger,
  timeoutMs = 2_000,
): Handler {
  let wasReady = true;
  return async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(TIMED_OUT), timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([ready(), timeout]);
      if (!wasReady) logger.info('ready again: the store answers');
      wasReady = true;
      sendJson(res, 200, { ready: true });
    } catch (err) {
      const reason = reasonOf(err);
      if (wasReady) logger.warn({ err: err === TIMED_OUT ? undefined : err, reason }, 'not ready');
      wasReady = false;
      sendJson(res, 503, { ready: false, reason });
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * A second, minimal HTTP server for METRICS_PORT: GET and HEAD /metrics only, no token, bound to
 * 127.0.0.1 whatever HOST is, so only this machine (a local Prometheus agent) can read it.
 */
export class MetricsListener {
  readonly server: Server;

  constructor(source: MetricsSource, logger: Logger) {
    const handler = metricsHandler(source);
    this.server = createServer((req, res) => {
      this.serve(req, res, handler).catch((err: unknown) => {
        logger.error({ err }, 'metrics request failed');
        if (res.headersSent) res.destroy();
        else sendError(res, new HttpError(500, 'internal', 'Could not read the metrics.'));
      });
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) =>
      refuseUnparsable(err, socket),
    );
    this.server.on('connect', (_req, socket) => refuseConnect(socket));
    this.server.requestTimeout = 30_000;
    this.server.headersTimeout = 10_000;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, handler: Handler): Promise<void> {
    try {
      const url = parseTarget(req.url);
      if (url.pathname !== '/metrics')
        throw new HttpError(404, 'not_found', `Nothing at ${url.pathname}.`);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on /metrics.`);
      }
      await handler(req, res, url);
    } catch (err) {
      if (err instanceof HttpError && !res.headersSent) return sendError(res, err);
      throw err;
    }
  }

  /** Listens on 127.0.0.1 (`port` 0 picks a free one); resolves with the metrics URL. */
  listen(port: number): Promise<URL> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, METRICS_HOST, () => {
        this.server.off('error', reject);
        const { port: bound } = this.server.address() as AddressInfo;
        resolve(new URL(`http://${METRICS_HOST}:${bound}/metrics`));
      });
    });
  }

  /** Stops listening and closes open connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
