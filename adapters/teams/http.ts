import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyPending, HttpError, readBody } from '../../src/http-body.js';

export { HttpError, readBody };

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
