/**
 * The request-body plumbing every HTTP surface shares (web chat, Slack's /slack/events, Teams'
 * /api/messages): an error with a status and a stable code, and a body reader with a size limit
 * that refuses early and leaves the rest unread. How errors are written stays with each surface.
 */
import type { IncomingMessage } from 'node:http';

/** An HTTP error with a status and a stable code, sent to the client as JSON. */
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
export function bodyPending(req: IncomingMessage): boolean {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  return hasBody && !req.complete;
}

const tooLarge = (limit: number) =>
  new HttpError(413, 'too_large', `The request body is larger than ${limit} bytes.`);

/**
 * Reads the raw body, refusing anything larger than `limit` bytes: a declared Content-Length
 * before reading a byte, a chunked body as soon as it crosses the limit. The rest stays
 * unread, and the 413 is sent with `Connection: close` (see `bodyPending`).
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
