import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import {
  cacheFile,
  EmbeddingsClient,
  type EmbeddingsSettings,
  entryTexts,
  SemanticIndex,
  type SemanticOptions,
  semanticFromConfig,
} from '../../src/embeddings/index.js';
import { type Entry, loadKnowledge } from '../../src/knowledge/index.js';
import { silentLogger } from '../../src/logger.js';
import { SHIPPED_KNOWLEDGE } from '../helpers/server.js';
import { type FakeEmbeddings, startFakeEmbeddings } from '../llm/fake-embeddings.js';
import { ENTRIES } from '../llm/fake-openai.js';

let fake: FakeEmbeddings;
let dir: string;
let indexes: SemanticIndex[];
const clock = fixedClock('2026-11-27T01:00:00Z');
const sleep = vi.fn(async (_ms: number) => {});

beforeEach(async () => {
  fake = await startFakeEmbeddings();
  dir = await mkdtemp(join(tmpdir(), 'sem-'));
  indexes = [];
});
afterEach(async () => {
  await Promise.all(indexes.map((i) => i.close()));
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function client(over: Partial<EmbeddingsSettings> = {}) {
  return new EmbeddingsClient(
    { baseUrl: fake.baseUrl, model: 'embed-test', timeoutMs: 1_000, maxRetries: 0, ...over },
    { clock, sleep },
  );
}

async function build(
  entries: Entry[] = ENTRIES,
  over: Partial<SemanticOptions> = {},
  settings: Partial<EmbeddingsSettings> = {},
) {
  const index = await SemanticIndex.build(entries, {
    client: client(settings),
    cacheDir: dir,
    logger: silentLogger(),
    clock,
    ...over,
  });
  indexes.push(index);
  return index;
}

const textCount = (entries: Entry[]) => entries.flatMap(entryTexts).length;
const ids = (hits: { id: string }[] | undefined) => hits?.map((h) => h.id);

describe('SemanticIndex.build and the vector cache', () => {
  it('embeds every entry text, caches them and ranks by meaning', async () => {
    const index = await build();
    expect(index.ready).toBe(true);
    expect(fake.inputs()).toEqual(ENTRIES.flatMap(entryTexts));
    expect(fake.inputs()[0]).toMatch(/^How to report a concern\nTell your council's security/);
    const cache = JSON.parse(await readFile(cacheFile(dir, 'embed-test'), 'utf8'));
    expect(cache).toMatchObject({ version: 1, model: 'embed-test', dims: 64 });
    expect(Object.keys(cache.vectors)).toHaveLength(textCount(ENTRIES));

    const hits = await index.rank('Can I take my laptops on an overseas trip?');
    expect(ids(hits)).toEqual(['travel-devices', expect.any(String), expect.any(String)]);
    expect(hits?.[0]?.score).toBeGreaterThan(0.3);
    expect(hits?.[0]?.score).toBeLessThanOrEqual(1 + 1e-6);
    expect(ids(await index.rank('declaring a gift or koha'))?.[0]).toBe('gifts-koha');
    // The question is embedded at query time, the entries are not.
    expect(fake.inputs().slice(-1)).toEqual(['declaring a gift or koha']);
  });

  it('leaves no temporary files behind', async () => {
    await build();
    expect(await readdir(dir)).toEqual([cacheFile(dir, 'embed-test').split('/').pop()]);
  });

  it('re-embeds nothing after a restart with the same entries', async () => {
    await build();
    fake.requests.length = 0;
    const again = await build();
    expect(again.ready).toBe(true);
    expect(fake.requests).toHaveLength(0);
    expect(ids(await again.rank('laptop overseas'))?.[0]).toBe('travel-devices');
  });

  it('re-embeds only the text that changed', async () => {
    await build();
    fake.requests.length = 0;
    const changed = ENTRIES.map((e) =>
      e.id === 'gifts-koha' ? { ...e, answer: 'Declare every gift in the register.' } : e,
    );
    await build(changed);
    expect(fake.inputs()).toEqual([
      'Gifts, hospitality and koha\nDeclare every gift in the register.',
    ]);

    fake.requests.length = 0;
    const asked = changed.map((e) =>
      e.id === 'travel-devices'
        ? { ...e, questions: [...e.questions, 'Is my phone safe abroad?'] }
        : e,
    );
    await build(asked);
    expect(fake.inputs()).toEqual(['Is my phone safe abroad?']);
    // Vectors no longer used are dropped from the file.
    const cache = JSON.parse(await readFile(cacheFile(dir, 'embed-test'), 'utf8'));
    expect(Object.keys(cache.vectors)).toHaveLength(textCount(asked));
  });

  it.each([
    ['not JSON', '{"version":1,'],
    ['the wrong shape', '{"version":1,"model":"embed-test","dims":"many","vectors":{}}'],
    ['another version', '{"version":99,"model":"embed-test","dims":64,"vectors":{}}'],
    ['another model', '{"version":1,"model":"other","dims":64,"vectors":{}}'],
  ])('ignores and rebuilds a cache file that is %s', async (_name, text) => {
    await writeFile(cacheFile(dir, 'embed-test'), text);
    const index = await build();
    expect(index.ready).toBe(true);
    expect(fake.inputs()).toHaveLength(textCount(ENTRIES));
    const cache = JSON.parse(await readFile(cacheFile(dir, 'embed-test'), 'utf8'));
    expect(Object.keys(cache.vectors)).toHaveLength(textCount(ENTRIES));
  });

  it('re-embeds single vectors of the wrong size in the cache', async () => {
    await build();
    const file = cacheFile(dir, 'embed-test');
    const cache = JSON.parse(await readFile(file, 'utf8'));
    const [first] = Object.keys(cache.vectors);
    cache.vectors[first!] = Buffer.alloc(8).toString('base64');
    await writeFile(file, JSON.stringify(cache));
    fake.requests.length = 0;
    await build();
    expect(fake.inputs()).toHaveLength(1);
  });

  it('keeps a cache per model', async () => {
    await build();
    await build(ENTRIES, {}, { model: 'embed-other' });
    expect((await readdir(dir)).sort()).toEqual(
      [cacheFile(dir, 'embed-test'), cacheFile(dir, 'embed-other')]
        .map((f) => f.split('/').pop())
        .sort(),
    );
  });

  it('still works when the cache cannot be written', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, '');
    const index = await build(ENTRIES, { cacheDir: join(blocker, 'embeddings') });
    expect(index.ready).toBe(true);
    expect(ids(await index.rank('laptop overseas'))?.[0]).toBe('travel-devices');
  });

  it('keeps the batches that succeeded when a later one fails', async () => {
    const total = textCount(ENTRIES);
    fake.fault('ok', { status: 500 });
    const index = await build(ENTRIES, {}, { batchSize: 2 });
    expect(index.ready).toBe(false);
    const cache = JSON.parse(await readFile(cacheFile(dir, 'embed-test'), 'utf8'));
    expect(Object.keys(cache.vectors)).toHaveLength(2);
    fake.requests.length = 0;
    expect(await index.refresh()).toBe(true);
    expect(fake.inputs()).toHaveLength(total - 2);
  });

  it('re-embeds everything once when the server changes vector size', async () => {
    await build();
    fake.dims = 32;
    fake.requests.length = 0;
    const changed = ENTRIES.map((e) =>
      e.id === 'gifts-koha' ? { ...e, title: 'Gifts and koha' } : e,
    );
    const index = await build(changed);
    expect(index.ready).toBe(true);
    expect(fake.inputs()).toHaveLength(1 + textCount(changed));
    expect(ids(await index.rank('laptop overseas'))?.[0]).toBe('travel-devices');
  });
});

describe('SemanticIndex.rank falls back (undefined) and never throws', () => {
  it('when the build failed, then retries in the background after retryMs', async () => {
    fake.always({ status: 500 });
    const index = await build(ENTRIES, { retryMs: 60_000 });
    expect(index.ready).toBe(false);
    fake.always(undefined);
    fake.requests.length = 0;
    expect(await index.rank('laptop overseas')).toBeUndefined();
    expect(fake.requests).toHaveLength(0); // too soon to try again
    clock.advance(60_000);
    expect(await index.rank('laptop overseas')).toBeUndefined(); // starts the rebuild
    expect(await index.refresh()).toBe(true); // joins it
    expect(ids(await index.rank('laptop overseas'))?.[0]).toBe('travel-devices');
  });

  it.each([
    ['a 500', { status: 500 }],
    ['a 404', { status: 404 }],
    ['a body that is not JSON', 'garbage'],
    ['a vector that is missing', 'short'],
    ['an infinite number', 'infinite'],
    ['a server that never answers', 'hang'],
  ] as const)('on %s', async (_name, fault) => {
    const index = await build(ENTRIES, {}, { timeoutMs: 300 });
    fake.fault(fault);
    expect(await index.rank('laptop overseas')).toBeUndefined();
    // The next question works again.
    expect(ids(await index.rank('laptop overseas'))?.[0]).toBe('travel-devices');
  });

  it('when the circuit is open, without a request', async () => {
    const index = await build();
    fake.always({ status: 503 });
    for (let i = 0; i < 3; i++) expect(await index.rank('laptop')).toBeUndefined();
    fake.requests.length = 0;
    expect(await index.rank('laptop')).toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });

  it('when the caller cancels', async () => {
    const index = await build();
    fake.fault('hang');
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 30);
    expect(await index.rank('laptop', ctl.signal)).toBeUndefined();
  });

  it('when the query vector has another size, and rebuilds', async () => {
    const index = await build();
    fake.dims = 16;
    expect(await index.rank('laptop overseas')).toBeUndefined();
    expect(await index.refresh()).toBe(true);
    expect(ids(await index.rank('laptop overseas'))?.[0]).toBe('travel-devices');
  });

  it('for an empty question, without a request', async () => {
    const index = await build();
    fake.requests.length = 0;
    expect(await index.rank('   ')).toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });
});

describe('what leaves the machine', () => {
  it('redacts emails and phone numbers in the question, keeping numbers the guidance publishes', async () => {
    const index = await build();
    await index.rank('Jane.Doe@council.govt.nz on 021 555 1234 asks: is 0800 747 224 right?');
    expect(fake.inputs().at(-1)).toBe('[email] on [phone] asks: is 0800 747 224 right?');
  });

  it('sends the question as it is when personal data may be sent', async () => {
    const index = await build(ENTRIES, { sendPersonalData: true });
    await index.rank('Call me on 021 555 1234');
    expect(fake.inputs().at(-1)).toBe('Call me on 021 555 1234');
  });
});

describe('semanticFromConfig', () => {
  const deps = () => ({ entries: ENTRIES, clock, logger: silentLogger(), sleep });

  it('is undefined without EMBEDDINGS_BASE_URL', () => {
    expect(semanticFromConfig(loadConfig({}), deps())).toBeUndefined();
  });

  it('starts building into DATA_DIR/embeddings', async () => {
    const config = loadConfig({ EMBEDDINGS_BASE_URL: fake.baseUrl, DATA_DIR: dir });
    expect(config.EMBEDDINGS_MODEL).toBe('text-embedding-3-small');
    expect(config.EMBEDDINGS_TIMEOUT_MS).toBe(5_000);
    const index = semanticFromConfig(config, deps())!;
    indexes.push(index);
    expect(await index.refresh()).toBe(true);
    expect(await readdir(join(dir, 'embeddings'))).toHaveLength(1);
    expect(fake.requests[0]?.body.model).toBe('text-embedding-3-small');
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });
});

describe('the shipped knowledge', () => {
  it('embeds in batches of 64 and ranks every entry', async () => {
    const { entries } = await loadKnowledge(SHIPPED_KNOWLEDGE);
    const texts = entries.flatMap(entryTexts);
    expect(texts.every((t) => t.length > 0 && t.length < 1_000)).toBe(true);
    const index = await build(entries);
    expect(index.ready).toBe(true);
    expect(fake.requests.map((r) => r.body.input.length)).toEqual(
      Array.from({ length: Math.ceil(new Set(texts).size / 64) }, (_, i) =>
        Math.min(64, new Set(texts).size - i * 64),
      ),
    );
    const hits = await index.rank('Should I take my own laptop on a trip overseas?');
    expect(hits).toHaveLength(entries.length);
  });
});
