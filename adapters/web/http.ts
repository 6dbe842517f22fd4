import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyPending, HttpError, readBody } from '../../src/http-body.js';

export { HttpError, readBody };

/** Headers every response carries. */
export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/** Sends a JSON body with the security headers; closes the connection if a body is unread. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...(res.req && bodyPending(res.req) ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** Sends a static file's bytes with the security headers. */
export function sendStatic(res: ServerResponse, type: string, body: Buffer): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'cache-control': 'no-cache',
    'content-length': body.length,
  });
  res.end(body);
}

/** Sends an error as `{error: {code, message}}`. */
export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message } });
}

/** Reads and parses a JSON body, with clear errors for the wrong type, size or syntax. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the request as application/json.');
  }
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad_json', 'The request body is not valid JSON.');
  }
}

/** A route handler. Throwing an HttpError sends it as JSON. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/** One route: exact method and path. */
export interface Route {
  method: 'GET' | 'HEAD' | 'POST';
  path: string;
  handler: Handler;
}
