/**
 * A loopback stand-in for Slack's Web API: `POST /api/<method>` answers `{ok: true, ...}` and
 * records every call with its parsed body. Tests can script failures per method. No vitest
 * imports here, so the benchmark can use it too.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API call the stub received. */
export interface ApiCall {
  method: string;
  body: Record<string, any>;
  /** Whether the stub answered `ok: true`. */
  ok: boolean;
  authorization?: string;
  /** What the stub answered (for a post: the channel and ts Slack would give). */
  response?: Record<string, unknown>;
}

/** A scripted failure: the next `times` matching calls fail. */
interface Fault {
  method: string;
  match: (body: Record<string, any>) => boolean;
  times: number;
  mode: 'error' | 'http500';
  error: string;
}

type Responder = (body: Record<string, any>) => Record<string, unknown>;

/** Display names the stub's users.info knows. */
export const NAMES: Record<string, string> = {
  UAROHA01: 'Aroha Ngata',
  UCONTACT1: 'Sam Security',
  UBACKUP01: 'Bo Backup',
  UOTHER001: 'Mallory Other',
};

/** The DM channel id Slack would answer for a post to a user id. */
export const dmOf = (user: string) => (/^[UW]/.test(user) ? `D${user.slice(1)}` : user);

/** Parses Bolt's form-encoded (JSON-valued) or JSON request body. */
export function parseBody(raw: string, contentType: string | undefined): Record<string, any> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw);
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (/^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // Not JSON after all: keep the string.
      }
    }
    out[k] = v;
  }
  return out;
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class SlackApiStub {
  readonly calls: ApiCall[] = [];
  private readonly faults: Fault[] = [];
  private readonly responders = new Map<string, Responder>();
  private seq = 0;
  /** Set by start(). */
  apiUrl = '';

  private constructor(private readonly server: Server) {}

  /** Starts the stub on 127.0.0.1 and a free port. */
  static async start(): Promise<SlackApiStub> {
    let stub: SlackApiStub | undefined;
    const server = createServer((req, res) => void stub?.serve(req, res));
    stub = new SlackApiStub(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stub.apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
    return stub;
  }

  private async serve(req: IncomingMessage, res: import('node:http').ServerResponse) {
    const raw = await readAll(req);
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const body = parseBody(raw, req.headers['content-type']);
    const fault = this.faults.find((f) => f.method === method && f.times > 0 && f.match(body));
    const call: ApiCall = {
      method,
      body,
      ok: !fault,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    };
    this.calls.push(call);
    if (fault) {
      fault.times -= 1;
      if (fault.mode === 'http500') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream exploded');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: false, error: fault.error }));
      return;
    }
    call.response = this.answer(method, body);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(call.response));
  }

  private answer(method: string, body: Record<string, any>): Record<string, unknown> {
    const custom = this.responders.get(method);
    if (custom) return custom(body);
    switch (method) {
      case 'chat.postMessage': {
        const channel = dmOf(String(body.channel ?? ''));
        return { ok: true, channel, ts: `${1_700_000_000 + ++this.seq}.000100` };
      }
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts };
      case 'users.info': {
        const id = String(body.user ?? '');
        const real = NAMES[id] ?? id;
        return { ok: true, user: { id, name: real.split(' ')[0]?.toLowerCase(), real_name: real } };
      }
      case 'auth.test':
        return { ok: true, user_id: 'U0BOT', bot_id: 'B0BOT', team_id: 'T1' };
      default:
        return { ok: true };
    }
  }

  /** Makes the next `times` calls to `method` (matching `match`) fail. */
  fail(
    method: string,
    opts: {
      times: number;
      match?: (body: Record<string, any>) => boolean;
      mode?: 'error' | 'http500';
      error?: string;
    },
  ): void {
    this.faults.push({
      method,
      match: opts.match ?? (() => true),
      times: opts.times,
      mode: opts.mode ?? 'error',
      error: opts.error ?? 'internal_error',
    });
  }

  /** Answers `method` with a custom response. */
  respond(method: string, responder: Responder): void {
    this.responders.set(method, responder);
  }

  /** Recorded calls to `method`, optionally filtered, optionally only after a mark. */
  callsTo(method: string, match: (c: ApiCall) => boolean = () => true, after = 0): ApiCall[] {
    return this.calls.slice(after).filter((c) => c.method === method && match(c));
  }

  /** chat.postMessage calls to a channel (or user id) that the stub accepted. */
  posts(channel?: string, after = 0): ApiCall[] {
    return this.callsTo(
      'chat.postMessage',
      (c) => c.ok && (channel === undefined || c.body.channel === channel),
      after,
    );
  }

  /** A position in the call log, for "calls since". */
  mark(): number {
    return this.calls.length;
  }

  /** Polls until at least `count` matching calls exist; resolves with them. */
  async waitFor(
    method: string,
    match: (c: ApiCall) => boolean = () => true,
    opts: { count?: number; after?: number; timeoutMs?: number } = {},
  ): Promise<ApiCall[]> {
    const { count = 1, after = 0, timeoutMs = 5000 } = opts;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.callsTo(method, match, after);
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        const seen = this.calls
          .slice(after)
          .map(
            (c) => `${c.method}(${c.body.channel ?? c.body.user ?? ''}) ${c.ok ? '' : 'FAILED'}`,
          );
        throw new Error(
          `timed out waiting for ${count} × ${method}; saw since mark: ${seen.join(', ') || 'nothing'}`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Every piece of human-readable text in a recorded message or view: fallback, blocks, buttons. */
export function textOf(call: ApiCall | undefined): string {
  if (!call) return '';
  const parts: string[] = [];
  const walk = (v: unknown, key = ''): void => {
    if (typeof v === 'string') {
      if (key === 'text' || key === 'value') parts.push(v);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, k);
    }
  };
  if (typeof call.body.text === 'string') parts.push(call.body.text);
  walk(call.body.blocks);
  walk(call.body.view);
  return parts.join('\n');
}

/** Only the block texts (sections, context, buttons), without the notification fallback. */
export function blockTexts(call: ApiCall): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(o.text);
      for (const x of Object.values(o)) if (typeof x === 'object') walk(x);
    }
  };
  walk(call.body.blocks);
  return out;
}
