import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the bot made to the Bot Connector. */
export interface ConnectorCall {
  method: string;
  path: string;
  body: any;
  /** The activity id the stub answered with. */
  id?: string;
}

/** Adaptive Card contents in an activity, if any. */
export function cardsOf(activity: any): any[] {
  return (activity?.attachments ?? [])
    .filter((a: any) => a.contentType === 'application/vnd.microsoft.card.adaptive')
    .map((a: any) => a.content);
}

/** All text in a card, joined, for simple assertions. */
export function cardText(card: any): string {
  const out: string[] = [];
  const visit = (e: any) => {
    if (!e || typeof e !== 'object') return;
    if (typeof e.text === 'string') out.push(e.text);
    if (typeof e.title === 'string') out.push(e.title);
    for (const v of Object.values(e)) if (typeof v === 'object') visit(v);
  };
  visit(card);
  return out.join('\n');
}

/**
 * A loopback Bot Connector: records every call and answers like Teams, with an activity id.
 * `fail` makes matching calls return 500 until cleared.
 */
export class ConnectorStub {
  readonly calls: ConnectorCall[] = [];
  fail: ((call: ConnectorCall) => boolean) | undefined;
  private seq = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        const call: ConnectorCall = {
          method: req.method ?? '',
          path: req.url ?? '',
          body: raw ? JSON.parse(raw) : undefined,
        };
        if (this.fail?.(call)) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'ServiceError', message: 'stub failure' } }));
          return;
        }
        this.seq += 1;
        call.id = `stub-${this.seq}`;
        this.calls.push(call);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: call.id }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  /** Calls made since `from` (an index into `calls`). */
  since(from: number): ConnectorCall[] {
    return this.calls.slice(from);
  }

  /** Messages posted (replies and proactive sends), with the id the stub gave each. */
  posts(from = 0): ConnectorCall[] {
    return this.since(from).filter((c) => c.method === 'POST' && c.body?.type === 'message');
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => {
      this.server?.close(() => r());
      this.server?.closeAllConnections();
    });
  }
}
