/**
 * What the server refuses before routing: request targets that are not a clean path or URL,
 * and requests Node's HTTP parser could not read at all. Both get a JSON error, never a crash.
 */
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError, SECURITY_HEADERS } from './http.js';

// RFC 3986 pchar plus "/", with no "//" at the start: a path that begins "//" reads as a host.
const PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
// Queries are looser in the wild (some clients send [ ] { } | unencoded): printable ASCII.
const QUERY = /^[\x21-\x22\x24-\x7e]*$/;
const ABSOLUTE = /^https?:\/\/[\x21-\x22\x24-\x7e]+$/i;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

const badTarget = () =>
  new HttpError(400, 'bad_request', 'The request line does not hold a valid path or URL.');

/**
 * Parses a request target: a path (`/api/chat?x=1`) or an absolute URL
 * (`http://host/api/chat`). Anything else, such as `//[` or a bad %-escape, is a 400.
 */
export function parseTarget(raw: string | undefined): URL {
  const target = raw ?? '';
  if (BAD_ESCAPE.test(target)) throw badTarget();
  if (target.startsWith('/')) {
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const query = q < 0 ? '' : target.slice(q + 1);
    if (!PATH.test(path) || !QUERY.test(query)) throw badTarget();
    return new URL(`http://localhost${target}`);
  }
  if (!ABSOLUTE.test(target)) throw badTarget();
  try {
    return new URL(target);
  } catch {
    throw badTarget();
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
};

/** The status, code and message for an error from Node's HTTP parser (a `clientError`). */
export function parserRefusal(code: string | undefined): HttpError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HttpError(431, 'headers_too_large', 'The request headers are too large.');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new HttpError(413, 'too_large', 'The chunk extensions are too large.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new HttpError(408, 'timeout', 'The request took too long to arrive.');
    default:
      return new HttpError(400, 'bad_request', 'The request is not valid HTTP.');
  }
}

/**
 * Answers a request Node's parser refused, as Node's default handler does but in our JSON
 * format, then closes the socket: the rest of what the client sent is unreadable anyway.
 */
export function refuseUnparsable(err: NodeJS.ErrnoException, socket: Duplex): void {
  // A response already on the wire must not be corrupted by a second status line.
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  refuseOnSocket(socket, parserRefusal(err.code));
}

/** Answers CONNECT (Node would drop the socket without a word): this is not a proxy. */
export function refuseConnect(socket: Duplex): void {
  refuseOnSocket(socket, new HttpError(405, 'method_not_allowed', 'CONNECT is not supported.'));
}

/** Writes a whole JSON error response straight to the socket, then closes it. */
function refuseOnSocket(socket: Duplex, refusal: HttpError): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${refusal.status} ${REASONS[refusal.status]}\r\n${head}\r\n${body}`, () =>
    socket.destroy(),
  );
}
