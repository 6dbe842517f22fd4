import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

describe('POST /api/chat', () => {
  it('answers a question with sources, review date and feedback actions', async () => {
    const { status, body } = await s.post('/api/chat', {
      userId: 'u1',
      userName: 'Aroha',
      text: 'What counts as foreign interference?',
    });
    expect(status).toBe(200);
    const [reply] = body.replies;
    expect(reply.answered).toBe(true);
    expect(reply.entryId).toBe('fi-definition');
    expect(reply.text).toContain('Foreign interference is covert');
    expect(reply.text).toContain('Last reviewed: 10 January 2026');
    expect(reply.sources).toEqual([
      {
        title: 'Fixture source for fi-definition',
        publisher: 'Test Publisher',
        url: 'https://example.org/fi-definition',
        date: '2025-08',
      },
    ]);
    expect(reply.actions.map((a: any) => a.label)).toEqual([
      'Helpful',
      'Not helpful',
      'Ask the security contact',
    ]);
    expect(reply.blocks[0]).toMatchObject({
      type: 'paragraph',
      md: [{ type: 'para' }, { type: 'para' }],
    });
  });

  it('refuses honestly when the guidance does not cover the question', async () => {
    const { body } = await s.post('/api/chat', {
      userId: 'u1',
      text: 'who won the rugby in Invercargill?',
    });
    const [reply] = body.replies;
    expect(reply.answered).toBe(false);
    expect(reply.kind).toBe('no-guidance');
    expect(reply.sources).toEqual([]);
    expect(reply.text).toMatch(/don't have guidance on that/);
    expect(reply.text).toMatch(/I can help with:/);
  });

  it('answers small talk with what the bot does', async () => {
    for (const text of ['hi', 'kia ora', 'help', 'thanks']) {
      const { body } = await s.post('/api/chat', { userId: 'u1', text });
      expect(body.replies[0].kind, text).toBe('small-talk');
    }
    const { body } = await s.post('/api/chat', { userId: 'u1', text: 'help' });
    expect(body.replies[0].text).toMatch(/I answer questions about sister-city relationships/);
  });

  it('records Helpful / Not helpful feedback on disk', async () => {
    const { body } = await s.post('/api/chat', {
      userId: 'u2',
      action: { id: 'feedback', value: 'down:travel-devices' },
    });
    expect(body.replies[0].text).toMatch(/noted that/);
    const feedback = await s.advisor.store.listFeedback();
    expect(feedback).toContainEqual(
      expect.objectContaining({ user: 'web:-:u2', entryId: 'travel-devices', helpful: false }),
    );
  });

  it('shows a related entry when its button is pressed', async () => {
    const { body } = await s.post('/api/chat', {
      userId: 'u1',
      action: { id: 'show-entry', value: 'gifts-koha' },
    });
    expect(body.replies[0].entryId).toBe('gifts-koha');
  });

  it('explains an out-of-date or forged button instead of failing', async () => {
    const { body } = await s.post('/api/chat', {
      userId: 'u1',
      action: { id: 'feedback', value: 'up:no-such-entry' },
    });
    expect(body.replies[0].kind).toBe('error');
    const other = await s.post('/api/chat', { userId: 'u1', action: { id: 'self-destruct' } });
    expect(other.body.replies[0].text).toMatch(/didn't recognise that button/);
  });

  it('tells the user when a message is too long, and changes nothing', async () => {
    const before = (await s.advisor.store.readAudit()).length;
    const { status, body } = await s.post('/api/chat', {
      userId: 'u1',
      text: 'interference '.repeat(300),
    });
    expect(status).toBe(200);
    expect(body.replies[0].text).toMatch(/Please keep questions under 2,000 characters/);
    expect((await s.advisor.store.readAudit()).length).toBe(before);
  });

  it('rejects malformed requests with a clear JSON error', async () => {
    const notJson = await s.post('/api/chat', '{"userId":');
    expect(notJson).toEqual({
      status: 400,
      body: { error: { code: 'bad_json', message: 'The request body is not valid JSON.' } },
    });
    const noUser = await s.post('/api/chat', { text: 'hi' });
    expect(noUser.status).toBe(400);
    expect(noUser.body.error.message).toMatch(/userId/);
    const both = await s.post('/api/chat', { userId: 'u1', text: 'hi', extra: true });
    expect(both.status).toBe(400);
    const badId = await s.post('/api/chat', { userId: '<script>', text: 'hi' });
    expect(badId.body.error.message).toMatch(/may use only letters/);
    // A body that fits neither form is told what is wrong in the form it meant, not "Invalid input".
    const listId = await s.post('/api/chat', { userId: ['u1'], text: 'hi' });
    expect(listId.status).toBe(400);
    expect(listId.body.error.message).toMatch(/"userId" .*expected string/);
    const badAction = await s.post('/api/chat', { userId: 'u1', action: { id: 7 } });
    expect(badAction.status).toBe(400);
    expect(badAction.body.error.message).toMatch(/"action\.id" .*expected string/);
  });

  it('refuses a body that is not JSON or is too large', async () => {
    const form = await fetch(new URL('/api/chat', s.url), {
      method: 'POST',
      body: 'userId=u1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const big = await s.post('/api/chat', { userId: 'u1', text: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
  });

  it('refuses an oversized body streamed without a length', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        new URL('/api/chat', s.url),
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 80; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
  });
});

describe('other routes', () => {
  it('GET /healthz reports status', async () => {
    const res = await fetch(new URL('/healthz', s.url));
    expect(await res.json()).toEqual({ status: 'ok', entries: 6 });
  });

  it('serves the page with a strict content security policy', async () => {
    const res = await fetch(s.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('answers 404 and 405 in JSON', async () => {
    expect((await fetch(new URL('/nope', s.url))).status).toBe(404);
    const wrong = await fetch(new URL('/api/chat', s.url));
    expect(wrong.status).toBe(405);
    expect((await wrong.json()).error.code).toBe('method_not_allowed');
  });

  it('answers HEAD on /healthz and / with 200, the GET headers and no body', async () => {
    for (const [path, type] of [
      ['/healthz', /^application\/json/],
      ['/', /^text\/html/],
    ] as const) {
      const res = await fetch(new URL(path, s.url), { method: 'HEAD' });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(type);
      expect(Number(res.headers.get('content-length')), path).toBeGreaterThan(0);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(await res.text(), path).toBe('');
    }
  });

  it('sends no body bytes for HEAD, even on the wire', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(s.url.port), s.url.hostname, () =>
        socket.write('HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
  });

  it('does not run side effects for HEAD: /api/inbox answers 405 and keeps its messages', async () => {
    await s.inbox.notify({ platform: 'web', id: 'u12' }, [
      { kind: 'notice', blocks: [{ type: 'notice', tone: 'info', text: 'Kept.' }] },
    ]);
    const head = await fetch(new URL('/api/inbox?userId=u12', s.url), { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('GET');
    const get = await (await fetch(new URL('/api/inbox?userId=u12', s.url))).json();
    expect(get.messages.map((m: any) => m.text)).toEqual(['Kept.']);
  });

  it('GET /api/inbox returns messages sent later through the Notifier, once', async () => {
    const result = await s.inbox.notify({ platform: 'web', id: 'u9' }, [
      {
        kind: 'notice',
        blocks: [{ type: 'notice', tone: 'info', text: 'Your case was acknowledged.' }],
      },
    ]);
    expect(result.ok).toBe(true);
    const first = await (await fetch(new URL('/api/inbox?userId=u9', s.url))).json();
    expect(first.messages.map((m: any) => m.text)).toEqual(['Your case was acknowledged.']);
    const second = await (await fetch(new URL('/api/inbox?userId=u9', s.url))).json();
    expect(second.messages).toEqual([]);
    expect((await fetch(new URL('/api/inbox', s.url))).status).toBe(400);
  });

  it('GET /api/events streams Notifier messages as server-sent events', async () => {
    const controller = new AbortController();
    const res = await fetch(new URL('/api/events?userId=u10', s.url), {
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    await reader.read(); // ": connected"
    await s.inbox.notify({ platform: 'web', id: 'u10' }, [
      { kind: 'notice', blocks: [{ type: 'notice', tone: 'success', text: 'Resolved.' }] },
    ]);
    let text = '';
    while (!text.includes('\n\n', text.indexOf('event: message'))) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    const data = JSON.parse(/data: (.*)\n/.exec(text)![1]!);
    expect(data.text).toBe('Resolved.');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    controller.abort();
  });

  it('replays what a dropped stream missed when the page reconnects with Last-Event-ID', async () => {
    await s.inbox.notify({ platform: 'web', id: 'u11' }, [
      { kind: 'notice', blocks: [{ type: 'notice', tone: 'info', text: 'First.' }] },
      { kind: 'notice', blocks: [{ type: 'notice', tone: 'info', text: 'Second.' }] },
    ]);
    const read = async (headers: Record<string, string>) => {
      const controller = new AbortController();
      const res = await fetch(new URL('/api/events?userId=u11', s.url), {
        signal: controller.signal,
        headers,
      });
      const reader = res.body!.getReader();
      let text = '';
      const deadline = Date.now() + 2000;
      while (Date.now() < deadline && !text.includes('Second.')) {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
      }
      controller.abort();
      return [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    };
    const first = await read({});
    expect(first).toHaveLength(2);
    // The page saw only the first one before its connection dropped.
    const again = await read({ 'last-event-id': String(first[0]) });
    expect(again).toEqual([first[1]]);
  });
});
