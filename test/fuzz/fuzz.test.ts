/**
 * Hundreds of generated malformed requests at every route that takes input (the web API,
 * /slack/events in HTTP mode, /api/messages with Teams on), over raw TCP and through an HTTP
 * client. Each must get a 4xx or 5xx, or a connection the server closes, and none may crash
 * anything: afterwards /healthz answers 200 and a real question still gets answered.
 * The seed is fixed, so a failure names an input that reproduces it. FUZZ_SUMMARY=1 prints
 * what the server answered.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_SECRET, signedHeaders } from '../slack/harness.js';
import {
  type BodyInput,
  badHeaders,
  chatBodies,
  type RawInput,
  requestLines,
  slackBodies,
  teamsBodies,
} from './inputs.js';
import { type FullStack, startFullStack } from './stack.js';
import { sendRaw } from './wire.js';

const SEED = 20_261_127;
const LINES = 120;
const HEADERS = 80;
const BODIES = 100;

let s: FullStack;
beforeAll(async () => {
  s = await startFullStack();
});
afterAll(async () => {
  await s?.close();
});

/** What one input got: a status, or "closed" when the server hung up without one. */
type Outcome = { kind: string; what: string; got: number | 'closed' | 'no answer' };

async function sendBody(path: string, input: BodyInput): Promise<Outcome> {
  const headers: Record<string, string> = input.signed
    ? signedHeaders(SIGNING_SECRET, input.body.toString(), input.contentType)
    : { 'content-type': input.contentType };
  try {
    const res = await fetch(new URL(path, s.url), {
      method: 'POST',
      headers,
      body: new Uint8Array(input.body),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return { kind: 'body', what: input.what, got: res.status };
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    return { kind: 'body', what: input.what, got: timedOut ? 'no answer' : 'closed' };
  }
}

async function sendBytes(input: RawInput): Promise<Outcome> {
  const answer = await sendRaw(s.url, input.bytes);
  const got = answer.timedOut ? 'no answer' : (answer.status ?? 'closed');
  return { kind: input.kind, what: `${input.kind}: ${input.what}`, got };
}

/** Runs the sends a few at a time, in a fixed order. */
async function inTurn<T>(items: T[], send: (item: T) => Promise<Outcome>): Promise<Outcome[]> {
  const out: Outcome[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await send(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return out;
}

const refused = (o: Outcome) => o.got === 'closed' || (typeof o.got === 'number' && o.got >= 400);

/** "request-line: 400×101 431×19" and so on, for FUZZ_SUMMARY. */
function summary(outcomes: Outcome[]): string {
  const tally = new Map<string, Map<string, number>>();
  for (const o of outcomes) {
    const byGot = tally.get(o.kind) ?? new Map<string, number>();
    byGot.set(String(o.got), (byGot.get(String(o.got)) ?? 0) + 1);
    tally.set(o.kind, byGot);
  }
  return [...tally]
    .map(([kind, byGot]) => `${kind}: ${[...byGot].map(([got, n]) => `${got}×${n}`).join(' ')}`)
    .join('; ');
}

const ROUTES = [
  { name: 'web API', path: '/api/chat', bodies: chatBodies },
  { name: 'Slack', path: '/slack/events', bodies: slackBodies },
  { name: 'Teams', path: '/api/messages', bodies: teamsBodies },
];
const totals: Record<string, Outcome[]> = {};

describe.each(ROUTES)('malformed requests to the $name ($path)', ({ name, path, bodies }) => {
  it(`refuses ${LINES} broken request lines, ${HEADERS} bad header sets and ${BODIES} bad bodies`, async () => {
    const params = { seed: SEED, numRuns: 0 };
    const lines = fc.sample(requestLines(path), { ...params, numRuns: LINES });
    const headers = fc.sample(badHeaders(path), { ...params, numRuns: HEADERS });
    const sample = fc.sample(bodies, { ...params, numRuns: BODIES });
    const outcomes = [
      ...(await inTurn(lines, sendBytes)),
      ...(await inTurn(headers, sendBytes)),
      ...(await inTurn(sample, (b) => sendBody(path, b))),
    ];
    totals[name] = outcomes;
    expect(outcomes.filter((o) => !refused(o))).toEqual([]);
    expect(s.crashes).toEqual([]);
  });
});

describe('after the fuzzing', () => {
  it('sent at least 500 malformed inputs in all', () => {
    const all = Object.values(totals).flat();
    if (process.env.FUZZ_SUMMARY) {
      for (const [name, outcomes] of Object.entries(totals))
        console.info(`${name} (${outcomes.length}): ${summary(outcomes)}`);
    }
    expect(all.length).toBeGreaterThanOrEqual(500);
  });

  it('still answers /healthz with 200 and a question with an answer, with no crash', async () => {
    const health = await fetch(new URL('/healthz', s.url));
    expect(health.status).toBe(200);
    const chat = await fetch(new URL('/api/chat', s.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u1', text: 'what counts as foreign interference?' }),
    });
    expect(chat.status).toBe(200);
    expect((await chat.json()).replies[0].answered).toBe(true);
    const slack = await s.slack.slack.dm('UAROHA01', 'hi');
    expect(slack.status).toBe(200);
    expect(s.crashes).toEqual([]);
  });
});
