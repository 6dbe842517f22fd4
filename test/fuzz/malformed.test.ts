/**
 * The request lines from the hardening issue, each of which used to stop the whole process
 * (web chat, Slack HTTP mode and Teams with it), and the other ways a request can fail before
 * or inside a handler. Each gets a JSON error with no stack, and the server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FullStack, startFullStack } from './stack.js';
import { sendRaw } from './wire.js';

let s: FullStack;
beforeAll(async () => {
  s = await startFullStack();
});
afterAll(async () => {
  await s?.close();
});

const request = (line: string, headers = 'Host: x\r\n') => `${line}\r\n${headers}\r\n`;
const healthy = async () => (await fetch(new URL('/healthz', s.url))).status;

describe('request lines from the issue', () => {
  it.each([
    'GET //[ HTTP/1.1',
    'GET http://[/ HTTP/1.1',
    'GET //a:99999/ HTTP/1.1',
    'POST //[ HTTP/1.1',
  ])('%s gets 400 as JSON, and the server keeps running', async (line) => {
    const answer = await sendRaw(s.url, request(line));
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const { error } = JSON.parse(answer.body);
    expect(error).toEqual({
      code: 'bad_request',
      message: 'The request line does not hold a valid path or URL.',
    });
    expect(await healthy()).toBe(200);
    expect(s.crashes).toEqual([]);
  });
});

describe("requests Node's parser refuses", () => {
  it.each([
    ['an unknown method', request('BREW / HTTP/1.1'), 400],
    ['a control character in the path', request('GET /\x01 HTTP/1.1'), 400],
    [
      'two different Content-Lengths',
      request('POST /api/chat HTTP/1.1', 'Content-Length: 1\r\nContent-Length: 2\r\n'),
      400,
    ],
    [
      'a negative Content-Length',
      request('POST /api/chat HTTP/1.1', 'Content-Length: -1\r\n'),
      400,
    ],
    ['a 20 KB path', request(`GET /${'a'.repeat(20_000)} HTTP/1.1`), 431],
    ['CONNECT (this is no proxy)', request('CONNECT example.org:443 HTTP/1.1'), 405],
  ])('answers %s with a JSON %i and closes the connection', async (_what, bytes, status) => {
    const answer = await sendRaw(s.url, bytes);
    expect(answer.status).toBe(status);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body).error.message).not.toMatch(/\n\s+at /);
    expect(await healthy()).toBe(200);
  });
});

describe('failures inside a handler', () => {
  it('answers a handler that throws with a JSON 500 that shows no stack', async () => {
    s.slack.web.mount({
      method: 'GET',
      path: '/test/throws',
      handler: () => {
        throw new Error('secret detail\n    at somewhere (file.ts:1:1)');
      },
    });
    const res = await fetch(new URL('/test/throws', s.url));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { code: 'internal', message: 'Something went wrong on our side. Please try again.' },
    });
    expect(s.crashes).toEqual([]);
  });

  it('drops the connection when a handler fails after it started answering', async () => {
    s.slack.web.mount({
      method: 'GET',
      path: '/test/half',
      handler: async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        await Promise.resolve();
        throw new Error('failed half way');
      },
    });
    const answer = await sendRaw(s.url, request('GET /test/half HTTP/1.1'));
    expect(answer.status).toBe(200);
    expect(answer.closed).toBe(true);
    expect(await healthy()).toBe(200);
    expect(s.crashes).toEqual([]);
  });

  it('answers 405 with an Allow header for a known path', async () => {
    const answer = await sendRaw(s.url, request('DELETE /healthz HTTP/1.1'));
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
  });
});
