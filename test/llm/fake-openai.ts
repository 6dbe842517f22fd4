import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Entry } from '../../src/knowledge/index.js';

/** One request the fake server received. */
export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

/** A scripted reply: JSON `body`, `raw` text, or `hang` (never answer). */
export interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  raw?: string;
  hang?: boolean;
}

/** A loopback OpenAI-compatible server that records requests and replies from a script. */
export interface FakeOpenAI {
  baseUrl: string;
  requests: Recorded[];
  /** Queues replies, used in order; with none left the server answers 500. */
  script(...replies: Scripted[]): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1:0. */
export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: Recorded[] = [];
  const queue: Scripted[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    req.on('end', () => {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const next = queue.shift() ?? { status: 500, body: { error: { message: 'no script' } } };
      if (next.hang) return;
      res.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...next.headers });
      res.end(next.raw ?? JSON.stringify(next.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => queue.push(...replies),
    close: () => {
      // Hanging requests would otherwise keep the server open.
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A chat-completions response whose first choice says `content`. */
export function chat(content: string, finishReason = 'stop'): Scripted {
  return {
    body: {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1_800_000_000,
      model: 'test-model',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    },
  };
}

function entry(id: string, title: string, answer: string, source: Entry['sources'][number]): Entry {
  return {
    id,
    title,
    answer,
    questions: [`${title}?`],
    keywords: [],
    tags: ['reporting'],
    audience: ['staff'],
    sources: [source],
    reviewed: '2026-01-10',
    reviewBy: '2026-07-10',
    related: [],
    file: `guidance/${id}.md`,
  };
}

/** Three small entries whose figures, URLs and phone numbers the tests rely on. */
export const ENTRIES: Entry[] = [
  entry(
    'report-concern',
    'How to report a concern',
    "Tell your council's security contact first. You can also call NZSIS on **0800 747 224** or use the form at https://www.nzsis.govt.nz/contact-us/.",
    {
      title: 'Contact us',
      publisher: 'NZSIS',
      url: 'https://www.nzsis.govt.nz/contact-us/',
      date: '2024-05',
    },
  ),
  entry(
    'gifts-koha',
    'Gifts, hospitality and koha',
    'Declare gifts worth more than **$500** in the gifts register within 30 days. Koha given on behalf of the council is a council decision.',
    {
      title: 'Controlling sensitive expenditure',
      publisher: 'Office of the Auditor-General',
      url: 'https://oag.parliament.nz/2020/sensitive-expenditure',
      date: '2020-07',
    },
  ),
  entry(
    'travel-devices',
    'Phones and laptops on overseas trips',
    'Take a loan phone and laptop that hold only what the trip needs, and change your passwords when you get back.',
    {
      title: 'Travelling overseas',
      publisher: 'Protective Security Requirements',
      url: 'https://www.protectivesecurity.govt.nz/travel',
      date: 'undated',
    },
  ),
];
