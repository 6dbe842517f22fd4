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

/** Sends a JSON body (or an empty one) with the given status. */
export function sendJson(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends an HttpError as JSON. */
export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message } });
}

const tooLarge = (limit: number) =>
  new HttpError(413, 'too_large', `The request body is larger than ${limit} bytes.`);

/** Reads and parses a JSON body, refusing anything larger than `limit` bytes. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
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
