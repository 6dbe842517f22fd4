import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Recorded } from './fake-openai.js';

/** Length of the fake's vectors. */
export const DIMS = 64;

const STOP = new Set(
  'a an and are as at be by can do for from how i in is it my of on or the to what when with you your'.split(
    ' ',
  ),
);

/** Lower-case words without stop words, with a plural "s" dropped: "Laptops" and "laptop" match. */
function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? [])
    .filter((w) => !STOP.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w));
}

function fnv(word: string): number {
  let h = 0x811c9dc5;
  for (const c of word) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/**
 * A deterministic bag-of-words vector: each word adds ±1 to a hashed dimension, so texts that
 * share words point the same way and a cosine ranking means something. Dimension 0 carries a
 * small constant so no text gives a zero vector.
 */
export function hashVector(text: string, dims = DIMS): number[] {
  const v = new Array<number>(dims).fill(0);
  v[0] = 0.01;
  for (const w of words(text)) {
    const h = fnv(w);
    const i = 1 + (h % (dims - 1));
    v[i] = (v[i] ?? 0) + ((h >>> 16) & 1 ? 1 : -1);
  }
  return v;
}

/** How the fake misbehaves for one request. */
export type Fault =
  | 'ok'
  | { status: number; headers?: Record<string, string> }
  | 'hang'
  | 'garbage'
  | 'short'
  | 'infinite'
  | 'mixed-dims'
  | 'huge';

/** A loopback OpenAI-compatible embeddings server. */
export interface FakeEmbeddings {
  baseUrl: string;
  requests: Recorded[];
  /** Every input the server has embedded, across requests, in order. */
  inputs(): string[];
  /** Faults for the next requests, in order; then it answers normally again. */
  fault(...faults: Fault[]): void;
  /** A fault for every request until cleared with `undefined`. */
  always(fault: Fault | undefined): void;
  /** Vector length for normal answers (default DIMS). */
  dims: number;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1:0. Normal answers list items in reverse, with correct indexes. */
export async function startFakeEmbeddings(): Promise<FakeEmbeddings> {
  const requests: Recorded[] = [];
  const queue: Fault[] = [];
  let always: Fault | undefined;
  const fake: FakeEmbeddings = {
    baseUrl: '',
    requests,
    inputs: () => requests.flatMap((r) => (Array.isArray(r.body?.input) ? r.body.input : [])),
    fault: (...f) => queue.push(...f),
    always: (f) => {
      always = f;
    },
    dims: DIMS,
    close: async () => {},
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    req.on('end', () => {
      let body: any = text;
      try {
        body = JSON.parse(text);
      } catch {}
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const fault = queue.shift() ?? always;
      const input: string[] = Array.isArray(body?.input) ? body.input : [];
      const send = (status: number, payload: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(payload);
      };
      if (fault === 'hang') return;
      if (typeof fault === 'object') return send(fault.status, '{"error":{}}', fault.headers);
      if (fault === 'garbage') return send(200, '<html>oops</html>');
      let data = input.map((t, index) => ({
        object: 'embedding',
        index,
        embedding: hashVector(t, fake.dims) as (number | string)[],
      }));
      if (fault === 'short') data = data.slice(1);
      if (fault === 'mixed-dims') data[0]?.embedding.push(1);
      if (fault === 'huge') data[0]?.embedding.push('x'.repeat(2 << 20));
      let payload = JSON.stringify({
        object: 'list',
        data: data.reverse(),
        model: body?.model,
        usage: { prompt_tokens: 1, total_tokens: 1 },
      });
      // JSON cannot say Infinity, but 1e999 parses to it.
      if (fault === 'infinite')
        payload = payload.replace(/"embedding":\[0\.01/, '"embedding":[1e999');
      send(200, payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.baseUrl = `http://127.0.0.1:${port}/v1`;
  fake.close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return fake;
}
