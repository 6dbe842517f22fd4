/**
 * Oversized bodies on every route that reads one: the server answers 413 with
 * `Connection: close` and hangs up without reading the rest. Measured in bytes, not time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FullStack, startFullStack } from './stack.js';
import { sendRaw, streamBody } from './wire.js';

let s: FullStack;
beforeAll(async () => {
  s = await startFullStack();
});
afterAll(async () => {
  await s?.close();
});

const MB = 1024 * 1024;
const ROUTES = [
  { path: '/api/chat', limit: 64 * 1024 },
  { path: '/slack/events', limit: 4 * MB },
  { path: '/api/messages', limit: 256 * 1024 },
];
const head = (path: string, framing: string) =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`;

const KB = 1024;
/** A client still writing may see the reset of the hang-up before it reads the 413. */
const refusedOrReset = [413, undefined];

describe.each(ROUTES)('POST $path over its limit', ({ path, limit }) => {
  it('answers a declared 100 MB body with 413 and Connection: close, then hangs up', async () => {
    const answer = await sendRaw(s.url, head(path, `Content-Length: ${100 * MB}`), {
      untilClosed: true,
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body).error.code).toBe('too_large');
    // The client sent no body at all: the server closed the connection on its own.
    expect(answer.closed).toBe(true);
    expect(answer.timedOut).toBe(false);
  });

  it('hangs up on a streamed 100 MB body after reading almost none of it', async () => {
    const before = s.bytesRead().length;
    const result = await streamBody(s.url, head(path, `Content-Length: ${100 * MB}`), {
      total: 100 * MB,
    });
    expect(result.hungUp).toBe(true);
    expect(result.wroteAll).toBe(false);
    expect(refusedOrReset).toContain(result.status);
    // What the client got into its socket before the hang-up: kernel buffers, no more.
    expect(result.sent).toBeLessThan(32 * MB);
    expect(Math.max(...s.bytesRead().slice(before))).toBeLessThan(256 * KB);
  });

  it('answers a chunked body 413 as soon as it crosses the limit, and hangs up', async () => {
    const before = s.bytesRead().length;
    const result = await streamBody(s.url, head(path, 'Transfer-Encoding: chunked'), {
      total: limit + 256 * KB,
      chunked: true,
      waitAtEnd: true,
    });
    expect(result.status).toBe(413);
    expect(result.headers.connection).toBe('close');
    expect(result.hungUp).toBe(true);
    expect(Math.max(...s.bytesRead().slice(before))).toBeLessThan(limit + 256 * KB);
  });

  it('stops reading a streamed 100 MB chunked body at the limit', async () => {
    const before = s.bytesRead().length;
    const result = await streamBody(s.url, head(path, 'Transfer-Encoding: chunked'), {
      total: 100 * MB,
      chunked: true,
    });
    expect(result.hungUp).toBe(true);
    expect(result.wroteAll).toBe(false);
    expect(refusedOrReset).toContain(result.status);
    expect(result.sent).toBeLessThan(32 * MB);
    expect(Math.max(...s.bytesRead().slice(before))).toBeLessThan(limit + 256 * KB);
  });
});
