/**
 * HTTP plumbing for /slack/events: the shared body reader (src/http-body.ts) and
 * JSON error answers.
 */
import type { ServerResponse } from 'node:http';
import { bodyPending, HttpError, readBody } from '../../src/http-body.js';

export { HttpError, readBody };

/** Sends an HttpError as JSON; closes the connection if a request body is unread. */
export function sendError(res: ServerResponse, err: HttpError): void {
  const text = JSON.stringify({ error: { code: err.code, message: err.message } });
  res.writeHead(err.status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(text),
    ...(res.req && bodyPending(res.req) ? { connection: 'close' } : {}),
  });
  res.end(text);
}
