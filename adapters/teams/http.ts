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
 * must close the connection: to keep it alive, Node would first read and discard the rest of
 * the body, however large it says it is.
 */
export function bodyPending(req: IncomingMessage): boolean {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  return hasBody && !req.complete;
}

/** Sends a JSON body (or an empty one); closes the connection if a request body is unread. */
export function sendJson(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(text),
    ...(res.req && bodyPending(res.req) ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** Sends an HttpError as JSON. */
export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message } });
}

const tooLarge = (limit: number) =>
  new HttpError(413, 'too_large', `The request body is larger than ${limit} bytes.`);

/**
 * Reads the raw body, refusing anything larger than `limit` bytes: a declared Content-Length
 * before reading a byte, a chunked body as soon as it crosses the limit. The rest stays
 * unread, and the 413 closes the connection (see sendJson).
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

/** Reads and parses a JSON body, refusing anything larger than `limit` bytes. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad_json', 'The request body is not valid JSON.');
  }
}

/** What botbuilder's CloudAdapter.process wrote, captured so we can answer in our own format. */
export interface Captured {
  status: number;
  body?: unknown;
}

/**
 * A stand-in for the Express-style response CloudAdapter.process expects. It records the status
 * and body; the caller then writes a proper JSON response (botbuilder would send plain text).
 */
export function captureResponse(): {
  res: {
    socket: unknown;
    status(code: number): void;
    send(body: unknown): void;
    header(name: string, value: unknown): void;
    end(): void;
  };
  done: Promise<Captured>;
} {
  const captured: Captured = { status: 200 };
  let finish: (c: Captured) => void = () => undefined;
  const done = new Promise<Captured>((resolve) => {
    finish = resolve;
  });
  return {
    res: {
      socket: undefined,
      status: (code) => {
        captured.status = code;
      },
      send: (body) => {
        captured.body = body;
      },
      header: () => undefined,
      end: () => finish(captured),
    },
    done,
  };
}
