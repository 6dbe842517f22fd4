/**
 * Socket Mode, offline: the stub's apps.connections.open hands out a loopback ws:// URL, a
 * `ws` server plays Slack (hello, then an events_api envelope) and the app acks over the socket.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { type SlackStack, startSlackStack } from './harness.js';
import { textOf } from './stub.js';

let s: SlackStack | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  await s?.close();
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
  s = undefined;
  wss = undefined;
});

const ENVELOPE = {
  envelope_id: 'e1',
  type: 'events_api',
  accepts_response_payload: false,
  retry_attempt: 0,
  retry_reason: '',
  payload: {
    type: 'event_callback',
    event_id: 'Ev1',
    team_id: 'T1',
    api_app_id: 'A0APP',
    event: {
      type: 'message',
      channel_type: 'im',
      channel: 'D1',
      user: 'UAROHA01',
      team: 'T1',
      text: 'what counts as foreign interference?',
      ts: '1.1',
    },
  },
};

describe('Socket Mode', () => {
  it('connects, acks the envelope over the socket and answers through the Web API', async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss!.once('listening', () => resolve()));
    const wsPort = (wss.address() as AddressInfo).port;
    const acks: { envelope_id?: string }[] = [];
    let socket: WebSocket | undefined;
    wss.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (data) => acks.push(JSON.parse(String(data))));
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'stub' } }));
    });

    s = await startSlackStack({ appToken: 'xapp-test' });
    s.stub.respond('apps.connections.open', () => ({
      ok: true,
      url: `ws://127.0.0.1:${wsPort}/link/?ticket=t1`,
    }));
    expect(s.adapter.mode).toBe('socket');
    expect(s.adapter.handle).toBeUndefined();
    await s.adapter.start();

    const [open] = s.stub.callsTo('apps.connections.open');
    expect(open?.authorization).toBe('Bearer xapp-test');
    socket!.send(JSON.stringify(ENVELOPE));

    const deadline = Date.now() + 5000;
    while (!acks.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(acks).toMatchObject([{ envelope_id: 'e1' }]); // Bolt adds an empty payload
    const [reply] = await s.stub.waitFor('chat.postMessage', (c) => c.body.channel === 'D1');
    expect(textOf(reply)).toContain('Foreign interference is covert');
    expect(reply!.authorization).toBe('Bearer xoxb-test');

    // The same event again (Slack redelivers after a reconnect) is acked but not answered twice.
    socket!.send(JSON.stringify({ ...ENVELOPE, envelope_id: 'e2', retry_attempt: 1 }));
    while (acks.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    expect(acks.map((a) => a.envelope_id)).toEqual(['e1', 'e2']);
    expect(s.stub.posts('D1')).toHaveLength(1);

    await s.adapter.stop();
    expect(s.stub.callsTo('apps.connections.open')).toHaveLength(1); // no reconnect
  });
});
