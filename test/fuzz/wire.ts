/**
 * Raw TCP clients for requests no HTTP library will send: malformed request lines, broken
 * headers, and bodies streamed until the server hangs up. No vitest imports.
 */
import { connect, type Socket } from 'node:net';

/** What came back on one connection. */
export interface RawAnswer {
  /** The final status code, if a status line arrived (interim 1xx answers are skipped). */
  status?: number;
  /** Header lines of the final answer, lower-cased names. */
  headers: Record<string, string>;
  body: string;
  /** The server ended or reset the connection. */
  closed: boolean;
  /** Nothing conclusive arrived before the safety timeout (a test failure, not a measure). */
  timedOut: boolean;
}

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: string;
  complete: boolean;
}

/**
 * Parses the first final (non-1xx) answer in `text`, if its head has arrived. An answer to
 * HEAD (`bodiless`) is complete with its head, whatever its Content-Length says.
 */
function parseAnswer(text: string, bodiless = false): Parsed | undefined {
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? Number.NaN);
    if (Number.isNaN(status)) return undefined;
    const after = rest.slice(end + 4);
    if (status < 200) {
      rest = after;
      continue;
    }
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0)
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? Number.NaN);
    const chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
    const complete =
      bodiless ||
      (chunked
        ? /(^|\r\n)0\r\n\r\n$/.test(after)
        : Number.isFinite(length) && Buffer.byteLength(after, 'latin1') >= length);
    return { status, headers, body: after, complete };
  }
}

/**
 * Writes `bytes` on a fresh connection and waits for a complete answer or for the server to
 * close. It never half-closes, so a server that answers only after its own timeout shows up as
 * `timedOut`. `untilClosed` waits for the server to hang up even after a complete answer.
 */
export function sendRaw(
  url: URL,
  bytes: string | Buffer,
  opts: { safetyMs?: number; untilClosed?: boolean } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const bodiless = Buffer.from(bytes).subarray(0, 5).toString('latin1') === 'HEAD ';
    let text = '';
    let settled = false;
    const finish = (closed: boolean, timedOut = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseAnswer(text, bodiless);
      resolve({
        ...(parsed ? { status: parsed.status } : {}),
        headers: parsed?.headers ?? {},
        body: parsed?.body ?? '',
        closed,
        timedOut,
      });
    };
    const timer = setTimeout(() => finish(false, true), opts.safetyMs ?? 10_000);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const parsed = parseAnswer(text, bodiless);
      if (parsed?.complete && !opts.untilClosed) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

/** The outcome of streaming a body at a server that should refuse it. */
export interface StreamResult {
  /** Body bytes the client handed to its socket before the server hung up. */
  sent: number;
  /** The answer, if one arrived. */
  status?: number;
  headers: Record<string, string>;
  body: string;
  /** The server ended or reset the connection (rather than the safety timeout). */
  hungUp: boolean;
  /** The client wrote all `total` bytes. */
  wroteAll: boolean;
}

/**
 * Sends `head`, then streams body bytes (raw, or chunked framing when `chunked`) as fast as
 * the socket takes them, up to `total`, and stops when the server closes the connection.
 * With `waitAtEnd` it then waits (without ending the body) for an answer or a hang-up.
 */
export function streamBody(
  url: URL,
  head: string,
  opts: {
    total: number;
    chunked?: boolean;
    chunkBytes?: number;
    safetyMs?: number;
    waitAtEnd?: boolean;
  },
): Promise<StreamResult> {
  const piece = Buffer.alloc(opts.chunkBytes ?? 64 * 1024, 0x61);
  const frame = opts.chunked
    ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
    : piece;
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(url.port), url.hostname);
    let text = '';
    let sent = 0;
    let settled = false;
    const finish = (hungUp: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseAnswer(text);
      resolve({
        sent,
        ...(parsed ? { status: parsed.status } : {}),
        headers: parsed?.headers ?? {},
        body: parsed?.body ?? '',
        hungUp,
        wroteAll: sent >= opts.total,
      });
    };
    const timer = setTimeout(() => finish(false), opts.safetyMs ?? 20_000);
    const pump = () => {
      while (!settled && sent < opts.total) {
        sent += piece.length;
        if (!socket.write(frame)) return void socket.once('drain', pump);
      }
      if (!settled && !opts.waitAtEnd) finish(false);
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}
