/**
 * fast-check generators of malformed HTTP requests: broken request lines and headers (sent as
 * raw bytes), and bad bodies (sent through an HTTP client). Every input is built so that a
 * correct server can decide at once: no input leaves a declared body half-sent.
 */
import fc from 'fast-check';

/** A request sent as raw bytes on its own connection. */
export interface RawInput {
  kind: 'request-line' | 'headers';
  what: string;
  bytes: Buffer;
}

/** A body sent with correct HTTP framing. */
export interface BodyInput {
  kind: 'body';
  what: string;
  body: Buffer;
  contentType: string;
  /** Slack only: sign the body with the real secret, so it gets past the signature check. */
  signed?: boolean;
}

const ascii = (from: number, to: number) =>
  fc.integer({ min: from, max: to }).map((c) => String.fromCharCode(c));
const controlChar = fc.oneof(ascii(0, 31), fc.constant('\x7f'));
const insertAt = (text: string, at: number, piece: string) =>
  text.slice(0, at % (text.length + 1)) + piece + text.slice(at % (text.length + 1));

/**
 * Methods: mostly real ones, so the broken target reaches the server's own checks; sometimes
 * unknown, misspelt, lower-case, empty, spaced or random bytes, for Node's parser.
 */
const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('CONNECT', 'PROPFIND', 'BREW', 'get', 'Post', 'P0ST', 'GE T', ''),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,24}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 12 }) },
);

const version = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'HTTP/2.0',
      'HTTP/0.9',
      'HTTP/1.1.1',
      'http/1.1',
      'HTTP/1',
      'HTTPS/1.1',
      '',
      'HTTP/1.1 x',
    ),
  },
);

/** True if the WHATWG URL parser, which is lenient, still refuses an absolute URL. */
const brokenUrl = (target: string) => {
  if (!/^https?:\/\//.test(target)) return true;
  try {
    new URL(target);
    return false;
  } catch {
    return true;
  }
};

/** Request targets that are never a clean path or URL, built around the route's own path. */
export function brokenTarget(path: string): fc.Arbitrary<string> {
  const hex = fc.constantFrom(...'0123456789abcdefABCDEFgxz%'.split(''));
  return fc
    .oneof(
      fc.constantFrom(
        '//[',
        'http://[/',
        '//a:99999/',
        '*',
        '',
        '%',
        `${path}%`,
        `${path}%zz`,
        `${path}?q=%`,
        `http://[::1${path}`,
        `http://[::1]:99999${path}`,
        `http://[fe80::1%eth0]${path}`,
        `http://[:::]${path}`,
        `/${path}`,
        `${path}#fragment`,
        `http://x:y${path}`,
        `http://a b${path}`,
      ),
      // Percent-encoding errors: a % followed by fewer than two hex digits.
      fc
        .tuple(
          fc.constantFrom(path, `${path}?x=`, `/${path}`),
          fc.string({ unit: hex, maxLength: 2 }),
        )
        .filter(([, h]) => !/^[0-9a-fA-F]{2}$/.test(h))
        .map(([p, h]) => `${p}%${h}`),
      // IPv6 brackets, unclosed or stuffed.
      fc
        .tuple(
          fc.constantFrom('http://', '//', 'https://'),
          fc.string({ unit: fc.constantFrom(...'[]:0123456789abcdef%.'.split('')), maxLength: 12 }),
        )
        .map(([scheme, host]) => `${scheme}[${host}${path}`),
      // Ports out of range or not numbers.
      fc
        .tuple(
          fc.constantFrom('http://a', '//a', 'http://[::1]', 'http://127.0.0.1'),
          fc.oneof(
            fc.bigInt({ min: 65536n, max: 10n ** 30n }).map(String),
            fc.constantFrom('-1', 'x', '0x50', '65535a', '1.5'),
          ),
        )
        .map(([host, port]) => `${host}:${port}${path}`),
      // Control characters and non-ASCII spliced into the path.
      fc
        .tuple(fc.nat(), fc.string({ unit: controlChar, minLength: 1, maxLength: 3 }))
        .map(([at, bad]) => insertAt(path, at, bad)),
      fc
        .tuple(fc.nat(), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }))
        .filter(([, s]) => /[^\x20-\x7e]/.test(s))
        .map(([at, bad]) => insertAt(path, at, bad)),
      // Absurd lengths: past Node's 16 KB limit for the request head.
      fc.integer({ min: 17_000, max: 80_000 }).map((n) => `${path}/${'a'.repeat(n)}`),
      fc.integer({ min: 100, max: 5_000 }).map((n) => `${path}?${'%'.repeat(n)}`),
    )
    .filter(brokenUrl);
}

/** Whole malformed request lines for one route's path. */
export function requestLines(path: string): fc.Arbitrary<RawInput> {
  return fc.tuple(method, brokenTarget(path), version).map(([m, t, v]) => {
    const line = `${m} ${t} ${v}`;
    return {
      kind: 'request-line' as const,
      what: line.length > 120 ? `${line.slice(0, 120)}… (${line.length} chars)` : line,
      bytes: Buffer.from(`${line}\r\nHost: fuzz\r\n\r\n`, 'utf8'),
    };
  });
}

type HeaderCase = { what: string; lines: string[]; body: string };

const framing = (path: string) => {
  const lengths = fc.oneof(
    fc.constantFrom('-1', '-0', '+5', '0x10', '1e3', '5.0', '', ' ', 'abc', '٣', '5 5', '5,5'),
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }).map(String),
    fc.integer({ min: -1e9, max: -1 }).map(String),
    // Well-formed but far over every route's limit: 413 before a byte of body.
    fc.integer({ min: 5 * 1024 * 1024, max: 2 ** 31 }).map(String),
  );
  const encodings = fc.constantFrom(
    'chunked, gzip',
    'gzip',
    'identity',
    'chunked\x0b',
    'chunkedx',
    'xchunked',
    'chunked;q=1',
    'chunked, chunked',
    'CHUNKED',
  );
  const chunkedBodies = fc.constantFrom(
    'zz\r\n\r\n',
    'ffffffffffffffffffff\r\n\r\n',
    '5\r\nabc\r\n0\r\n\r\n',
    '-1\r\n\r\n',
    '0x5\r\nhello\r\n0\r\n\r\n',
    `5;${'e'.repeat(20_000)}\r\nhello\r\n0\r\n\r\n`,
    '3\r\nabc\r\n0\r\nX-Trailer: \x01\r\n\r\n',
    '0\r\n\r\n',
  );
  return fc.oneof(
    fc.tuple(fc.nat(40), fc.nat(40)).map(
      ([a, b]): HeaderCase => ({
        what: `duplicate Content-Length ${a} and ${b}`,
        lines: [`Content-Length: ${a}`, `Content-Length: ${b}`],
        body: 'x'.repeat(Math.max(a, b)),
      }),
    ),
    lengths.map(
      (n): HeaderCase => ({
        what: `Content-Length: ${n}`,
        lines: [`Content-Length: ${n}`],
        body: '',
      }),
    ),
    fc.tuple(encodings, chunkedBodies).map(
      ([te, body]): HeaderCase => ({
        what: `Transfer-Encoding: ${te} with ${JSON.stringify(body.slice(0, 24))}`,
        lines: [`Transfer-Encoding: ${te}`],
        body,
      }),
    ),
    fc.tuple(fc.constantFrom('chunked', 'gzip, chunked'), fc.nat(20)).map(
      ([te, n]): HeaderCase => ({
        what: `Transfer-Encoding: ${te} and Content-Length: ${n}`,
        lines: [`Transfer-Encoding: ${te}`, `Content-Length: ${n}`],
        body: `0\r\n\r\n${'x'.repeat(n)}`,
      }),
    ),
    fc.constant<HeaderCase>({
      what: `Content-Length with a chunked body on ${path}`,
      lines: ['Content-Length: 3', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip'],
      body: '0\r\n\r\n',
    }),
  );
};

const oddHeaders = () => {
  const token = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
  const noNewline = (s: string) => s.replace(/[\r\n]/g, '');
  return fc.oneof(
    // Non-ASCII and control characters in names and values (no CR/LF, to keep the framing).
    fc.tuple(token, token).map(
      ([n, v]): HeaderCase => ({
        what: `header ${JSON.stringify(`${n}: ${v}`)}`,
        lines: [`${noNewline(n)}: ${noNewline(v)}`],
        body: '',
      }),
    ),
    fc.tuple(fc.constantFrom('Content-Type', 'X-Slack-Signature', 'Authorization'), token).map(
      ([n, v]): HeaderCase => ({
        what: `${n} with ${JSON.stringify(v)}`,
        lines: [`${n}: ${noNewline(v)}`],
        body: '',
      }),
    ),
    fc.constantFrom<HeaderCase>(
      { what: 'header without a colon', lines: ['Content-Type application/json'], body: '' },
      { what: 'space before the colon', lines: ['Content-Length : 2'], body: '{}' },
      { what: 'empty header name', lines: [': x'], body: '' },
      { what: 'obsolete line folding', lines: ['X-A: a', ' folded'], body: '' },
      { what: 'bare LF line ending', lines: ['X-A: a\nX-B: b'], body: '' },
      { what: 'bare CR inside a value', lines: ['X-A: a\rb'], body: '' },
      { what: 'NUL in a value', lines: ['X-A: a\x00b'], body: '' },
      { what: 'Expect: nothing-we-know', lines: ['Expect: 42-continue'], body: '' },
      { what: 'two Host headers', lines: ['Host: a', 'Host: b'], body: '' },
    ),
    // Absurd sizes: one 20-64 KB value, or thousands of headers.
    fc.integer({ min: 20_000, max: 64_000 }).map(
      (n): HeaderCase => ({
        what: `a ${n}-byte header`,
        lines: [`X-Big: ${'v'.repeat(n)}`],
        body: '',
      }),
    ),
    fc.integer({ min: 2_500, max: 6_000 }).map(
      (n): HeaderCase => ({
        what: `${n} headers`,
        lines: Array.from({ length: n }, (_, i) => `X-${i}: y`),
        body: '',
      }),
    ),
  );
};

/** Well-formed request lines with bad headers, raw. */
export function badHeaders(path: string): fc.Arbitrary<RawInput> {
  return fc.oneof(framing(path), oddHeaders()).map((c) => ({
    kind: 'headers' as const,
    what: c.what.length > 140 ? `${c.what.slice(0, 140)}…` : c.what,
    bytes: Buffer.from(
      `POST ${path} HTTP/1.1\r\nHost: fuzz\r\n${c.lines.join('\r\n')}\r\n\r\n${c.body}`,
      'utf8',
    ),
  }));
}

/** A JSON value of any type but `allowed`, as the wrong type for a field. */
export function wrongType(allowed: 'string' | 'object'): fc.Arbitrary<unknown> {
  const values = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    fc.string({ maxLength: 20 }),
  );
  return values.filter((v) =>
    allowed === 'string'
      ? typeof v !== 'string'
      : typeof v !== 'object' || v === null || Array.isArray(v),
  );
}

const text = (
  what: string,
  body: string | Buffer,
  contentType = 'application/json',
): BodyInput => ({
  kind: 'body',
  what: what.length > 140 ? `${what.slice(0, 140)}…` : what,
  body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
  contentType,
});
const show = (s: string) =>
  s.length > 60 ? `${JSON.stringify(s.slice(0, 60))}… (${s.length} chars)` : JSON.stringify(s);

/** Bodies that are not JSON at all, whatever the route. */
export const invalidJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{',
    '{"userId":',
    '[',
    'nul',
    'tru',
    '{"a":1,}',
    "{'a':1}",
    '{"a":NaN}',
    '{"a":"\\x"}',
    '\u0000',
    '',
    ' ',
    '{"a" 1}',
    '"unterminated',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
);

/** Arrays or objects nested `depth` deep around `inner`. */
export const nested = (depth: number, kind: 'array' | 'object', inner = '1') =>
  kind === 'array'
    ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;

const depth = fc.integer({ min: 50, max: 200_000 });
const binary = fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((a) => Buffer.from(a));

/** Bad bodies for POST /api/chat: never a valid chat request. */
export const chatBodies: fc.Arbitrary<BodyInput> = fc.oneof(
  invalidJson.map((s) => text(`invalid JSON ${show(s)}`, s)),
  fc
    .tuple(depth, fc.constantFrom<'array' | 'object'>('array', 'object'))
    .map(([d, k]) => text(`text nested ${d} ${k}s deep`, `{"userId":"u1","text":${nested(d, k)}}`)),
  fc
    .tuple(wrongType('string'), fc.jsonValue({ maxDepth: 2 }))
    .map(([id, t]) =>
      text(`userId ${JSON.stringify(id)}`, JSON.stringify({ userId: id, text: t })),
    ),
  fc
    .tuple(wrongType('string'), wrongType('object'))
    .map(([t, a]) =>
      text(
        `text and action of the wrong type`,
        JSON.stringify({ userId: 'u1', text: t, action: a }),
      ),
    ),
  fc
    .integer({ min: 20_001, max: 200_000 })
    .map((n) => text(`a ${n}-char text`, JSON.stringify({ userId: 'u1', text: 'x'.repeat(n) }))),
  binary.map((b) => text(`${b.length} random bytes`, b)),
  fc
    .tuple(
      fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', ''),
      invalidJson,
    )
    .map(([ct, s]) => text(`content-type ${JSON.stringify(ct)}`, s, ct)),
);

const FORM = 'application/x-www-form-urlencoded';

/**
 * Bad bodies for POST /slack/events. Half are signed with the real secret, so they reach
 * body parsing; none has a string `type` or `command`, so Bolt never acks one with 200.
 */
export const slackBodies: fc.Arbitrary<BodyInput> = fc
  .tuple(
    fc.oneof(
      invalidJson.map((s) => text(`invalid JSON ${show(s)}`, s)),
      invalidJson.map((s) =>
        text(
          `payload= invalid JSON ${show(s)}`,
          new URLSearchParams({ payload: s }).toString(),
          FORM,
        ),
      ),
      fc
        .tuple(depth, fc.constantFrom<'array' | 'object'>('array', 'object'))
        .map(([d, k]) => text(`${k}s nested ${d} deep`, nested(d, k))),
      wrongType('object').map((v) => text(`top-level ${JSON.stringify(v)}`, JSON.stringify(v))),
      fc
        .tuple(wrongType('string'), fc.jsonValue({ maxDepth: 3 }))
        .map(([t, e]) => text(`type ${JSON.stringify(t)}`, JSON.stringify({ type: t, event: e }))),
      fc
        .tuple(wrongType('object'))
        .map(([p]) =>
          text(
            `payload= ${JSON.stringify(p)}`,
            new URLSearchParams({ payload: JSON.stringify(p) }).toString(),
            FORM,
          ),
        ),
      fc.constantFrom(
        text('command given twice', 'command=%2Fpretrip&command=%2Fx&user_id=U1', FORM),
        text('JSON null', 'null'),
        text('payload=null', 'payload=null', FORM),
      ),
      fc
        .integer({ min: 100_000, max: 3_000_000 })
        .map((n) => text(`a ${n}-char value`, JSON.stringify({ type: n, event: 'x'.repeat(n) }))),
      binary.map((b) => text(`${b.length} random bytes`, b)),
    ),
    fc.boolean(),
  )
  .map(([input, signed]) => ({
    ...input,
    signed,
    what: `${signed ? 'signed' : 'unsigned'} ${input.what}`,
  }));

/** Bad bodies for POST /api/messages: never a valid activity. */
export const teamsBodies: fc.Arbitrary<BodyInput> = fc.oneof(
  invalidJson.map((s) => text(`invalid JSON ${show(s)}`, s)),
  fc
    .tuple(depth, fc.constantFrom<'array' | 'object'>('array', 'object'))
    .map(([d, k]) => text(`${k}s nested ${d} deep`, nested(d, k))),
  fc
    .tuple(depth.map((d) => Math.min(d, 50_000)))
    .map(([d]) => text(`value nested ${d} deep, no type`, `{"value":${nested(d, 'object')}}`)),
  wrongType('object').map((v) => text(`top-level ${JSON.stringify(v)}`, JSON.stringify(v))),
  wrongType('string').map((t) =>
    text(`type ${JSON.stringify(t)}`, JSON.stringify({ type: t, text: 'hi' })),
  ),
  fc
    .tuple(
      fc.constantFrom('from', 'recipient', 'conversation', 'text', 'serviceUrl'),
      wrongType('object'),
    )
    .map(([field, v]) =>
      text(
        `message with ${field} ${JSON.stringify(v)}`,
        JSON.stringify({ type: 'message', [field]: field === 'text' ? 42 : v }),
      ),
    ),
  fc
    .integer({ min: 40_001, max: 400_000 })
    .map((n) => text(`a ${n}-char text`, JSON.stringify({ type: 'message', text: 'x'.repeat(n) }))),
  binary.map((b) => text(`${b.length} random bytes`, b)),
);
