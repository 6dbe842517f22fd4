/**
 * HTTP plumbing for /slack/events: a body reader with a size limit and an early close, and
 * JSON error answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An HTTP error with a status and a stable code, sent as `{error: {code, message}}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * True while the client is still sending a body nobody has read. Answering such a request
 * must close the connection: to keep it alive, Node would first read and discard the rest.
 */
function bodyPending(req: IncomingMessage): boolean {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  return hasBody && !req.complete;
}

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

const tooLarge = (limit: number) =>
  new HttpError(413, 'too_large', `The request body is larger than ${limit} bytes.`);

/**
 * Reads the raw body, refusing anything larger than `limit` bytes: a declared Content-Length
 * before reading a byte, a chunked body as soon as it crosses the limit. The rest stays
 * unread, and the 413 closes the connection (see sendError).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge(limit));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err?: HttpError) => {
      req.off('data', onData).off('end', onEnd).off('error', onCut).off('close', onCut);
      if (!err) return resolve(Buffer.concat(chunks));
      // Stop pulling bytes off the wire; the parser then stops reading the socket too.
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onCut = () =>
      finish(
        new HttpError(400, 'incomplete_body', 'The request body ended before it was complete.'),
      );
    req.on('data', onData).on('end', onEnd).on('error', onCut).on('close', onCut);
  });
}
