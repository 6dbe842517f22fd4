import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import {
  EmbeddingsClient,
  type EmbeddingsSettings,
  embeddingsUrl,
  parseEmbeddings,
} from '../../src/embeddings/index.js';
import {
  DIMS,
  type FakeEmbeddings,
  hashVector,
  startFakeEmbeddings,
} from '../llm/fake-embeddings.js';

let fake: FakeEmbeddings;
let clients: EmbeddingsClient[];
const clock = fixedClock('2026-11-27T01:00:00Z');
const sleep = vi.fn(async (_ms: number) => {});

beforeEach(async () => {
  fake = await startFakeEmbeddings();
  clients = [];
  sleep.mockClear();
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await fake.close();
});

function make(over: Partial<EmbeddingsSettings> = {}): EmbeddingsClient {
  const c = new EmbeddingsClient(
    { baseUrl: fake.baseUrl, apiKey: 'sk-emb', model: 'embed-test', timeoutMs: 2_000, ...over },
    { clock, sleep },
  );
  clients.push(c);
  return c;
}

describe('embeddings URL', () => {
  const AZURE = 'https://council-ai.openai.azure.com/openai/deployments/emb';
  it.each([
    ['https://api.openai.com/v1', 'https://api.openai.com/v1/embeddings'],
    ['http://127.0.0.1:11434/v1/', 'http://127.0.0.1:11434/v1/embeddings'],
    ['http://localhost:8080/v1/embeddings', 'http://localhost:8080/v1/embeddings'],
    [`${AZURE}?api-version=2024-10-21`, `${AZURE}/embeddings?api-version=2024-10-21`],
    [`${AZURE}/embeddings?api-version=2024-10-21`, `${AZURE}/embeddings?api-version=2024-10-21`],
  ])('%s -> %s', (base, want) => {
    expect(embeddingsUrl(base).href).toBe(want);
  });

  it('sends an Azure key in the api-key header', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock
      .get('https://council-ai.openai.azure.com')
      .intercept({
        path: '/openai/deployments/emb/embeddings?api-version=2024-10-21',
        method: 'POST',
        headers: (h) => h['api-key'] === 'az-key' && !('authorization' in h),
      })
      .reply(200, { data: [{ index: 0, embedding: [0.1, 0.2] }] });
    const c = new EmbeddingsClient(
      {
        baseUrl: `${AZURE}?api-version=2024-10-21`,
        apiKey: 'az-key',
        model: 'm',
        timeoutMs: 1_000,
      },
      { clock, sleep, dispatcher: mock },
    );
    expect((await c.embed(['hello'])).ok).toBe(true);
    mock.assertNoPendingInterceptors();
    await mock.close();
  });
});

describe('EmbeddingsClient over HTTP', () => {
  it('posts the model and inputs with a bearer key and returns vectors in input order', async () => {
    const out = await make().embed(['gifts and koha', 'laptop overseas']);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    // The fake lists items in reverse; the client puts them back by index.
    expect(out.vectors.map((v) => Array.from(v))).toEqual([
      hashVector('gifts and koha').map(Math.fround),
      hashVector('laptop overseas').map(Math.fround),
    ]);
    const req = fake.requests[0]!;
    expect(req.path).toBe('/v1/embeddings');
    expect(req.headers.authorization).toBe('Bearer sk-emb');
    expect(req.body).toEqual({
      model: 'embed-test',
      input: ['gifts and koha', 'laptop overseas'],
      encoding_format: 'float',
    });
  });

  it('batches inputs', async () => {
    const inputs = Array.from({ length: 130 }, (_, i) => `text number ${i}`);
    const out = await make({ batchSize: 64 }).embed(inputs);
    expect(out.ok && out.vectors.length).toBe(130);
    expect(fake.requests.map((r) => r.body.input.length)).toEqual([64, 64, 2]);
    expect(fake.inputs()).toEqual(inputs);
  });

  it('retries a 429, honouring Retry-After', async () => {
    fake.fault({ status: 429, headers: { 'retry-after': '1' } });
    const out = await make().embed(['x y z']);
    expect(out).toMatchObject({ ok: true, attempts: 2 });
    expect(sleep).toHaveBeenCalledWith(1000);
  });

  it.each([
    ['a 500 after two retries', [{ status: 500 }], 'http-error', 3],
    ['a 401 without retrying', [{ status: 401 }], 'http-error', 1],
    ['a body that is not JSON', ['garbage'], 'bad-response', 1],
    ['fewer vectors than inputs', ['short'], 'bad-response', 1],
    ['vectors of different lengths', ['mixed-dims'], 'bad-response', 1],
    ['an infinite number', ['infinite'], 'bad-response', 1],
    ['a body over the size cap', ['huge'], 'bad-response', 1],
  ] as const)('fails on %s', async (_name, faults, reason, requests) => {
    fake.always(faults[0]);
    const out = await make({ maxBodyBytes: 1 << 20 }).embed(['one', 'two']);
    expect(out).toMatchObject({ ok: false, reason });
    expect(fake.requests).toHaveLength(requests);
  });

  it('times out on a server that never answers', async () => {
    fake.always('hang');
    const started = Date.now();
    const out = await make({ timeoutMs: 300 }).embed(['one']);
    expect(out).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails the whole call when a later batch fails', async () => {
    fake.fault('ok', { status: 400 });
    const out = await make({ batchSize: 1 }).embed(['one', 'two', 'three']);
    expect(out).toMatchObject({ ok: false, reason: 'http-error', attempts: 2 });
    expect(fake.inputs()).toEqual(['one', 'two']);
  });

  it('refuses empty input without a request', async () => {
    expect(await make().embed([])).toMatchObject({ ok: false, reason: 'no-input' });
    expect(await make().embed(['  '])).toMatchObject({ ok: false, reason: 'no-input' });
    expect(fake.requests).toHaveLength(0);
  });

  it('opens the circuit after three failed calls, then tries once after the cool-down', async () => {
    fake.always({ status: 503 });
    const c = make({ maxRetries: 0 });
    for (let i = 0; i < 3; i++) expect((await c.embed(['a'])).ok).toBe(false);
    expect(await c.embed(['a'])).toMatchObject({ ok: false, reason: 'circuit-open' });
    expect(fake.requests).toHaveLength(3);
    fake.always(undefined);
    clock.advance(60_000);
    expect((await c.embed(['a'])).ok).toBe(true);
    expect(c.breakerState()).toBe('closed');
  });

  it('reports a cancelled call as aborted', async () => {
    fake.always('hang');
    const ctl = new AbortController();
    const pending = make().embed(['a'], { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
  });
});

describe('parseEmbeddings', () => {
  const item = (index: number, embedding: unknown) => ({ index, embedding });

  it('accepts base64 float32 vectors', () => {
    const b = Buffer.alloc(8);
    b.writeFloatLE(0.5, 0);
    b.writeFloatLE(-2, 4);
    const got = parseEmbeddings({ data: [item(0, b.toString('base64'))] }, 1);
    expect('value' in got && Array.from(got.value[0]!)).toEqual([0.5, -2]);
  });

  it('uses list order when indexes are missing', () => {
    const got = parseEmbeddings({ data: [{ embedding: [1] }, { embedding: [2] }] }, 2);
    expect('value' in got && got.value.map((v) => v[0])).toEqual([1, 2]);
  });

  it.each([
    ['no data', {}, /no data/],
    ['an index twice', { data: [item(0, [1]), item(0, [2])] }, /twice/],
    ['an index out of range', { data: [item(0, [1]), item(2, [2])] }, /bad index/],
    ['a string in a vector', { data: [item(0, [1]), item(1, ['1'])] }, /missing/],
    ['an empty vector', { data: [item(0, []), item(1, [])] }, /missing/],
    ['null', null, /no data/],
  ])('rejects %s', (_name, json, error) => {
    const got = parseEmbeddings(json, 2);
    expect('error' in got && got.error).toMatch(error);
  });

  it('has vectors of DIMS numbers from the fake', () => {
    expect(hashVector('anything')).toHaveLength(DIMS);
  });
});
