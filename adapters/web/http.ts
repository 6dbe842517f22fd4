import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** Headers every response carries. */
export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/**
 * True while the client is still sending a body nobody has read. Answering such a request
 * must close the connection: to keep it alive, Node would first read and discard the rest of
 * the body, however large it says it is.
 */
export function bodyPending(req: IncomingMessage): boolean {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  return hasBody && !req.complete;
}

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

const tooLarge = (limit: number) =>
  new HttpError(413, 'too_large', `The request body is larger than ${limit} bytes.`);

/**
 * Reads the raw body, refusing anything larger than `limit` bytes. It refuses a declared
 * Content-Length over the limit before reading a byte, and a chunked body as soon as it
 * crosses the limit; the rest stays unread and the 413 closes the connection (see sendJson).
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
