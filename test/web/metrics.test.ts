import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebInbox } from '../../adapters/web/inbox.js';
import { bearerMatches, MetricsListener } from '../../adapters/web/metrics.js';
import { WebServer } from '../../adapters/web/server.js';
import { type Advisor, createAdvisor } from '../../src/app.js';
import { fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { isAdvisorError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import type { Notifier, Platform } from '../../src/model.js';
import { MemoryStore, type Store } from '../../src/storage/index.js';
import { answerAll, Chat } from '../checklist/helpers.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';
import { chat as modelSays, startFakeOpenAI } from '../llm/fake-openai.js';

const TOKEN = 'a-metrics-token-0123456789abcdef';
const HOUR = 3600_000;

/** A real advisor and web server on loopback, wired as src/main.ts wires them. */
async function start(
  opts: { env?: Record<string, string>; store?: Store; webInbox?: boolean } = {},
) {
  const dataDir = await mkdtemp(join(tmpdir(), 'sca-metrics-'));
  const config = loadConfig({ KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, DATA_DIR: dataDir, ...opts.env });
  const logger = silentLogger();
  const clock = fixedClock('2026-11-27T01:00:00Z');
  const inbox = new WebInbox();
  // Without the web inbox, case messages to the (web) contacts cannot go out and stay queued.
  const notifiers = new Map<Platform, Notifier>(opts.webInbox === false ? [] : [['web', inbox]]);
  const advisor: Advisor = await createAdvisor(config, logger, {
    clock,
    notifiers,
    ...(opts.store ? { store: opts.store } : {}),
  });
  const web = new WebServer({
    bot: advisor.bot,
    inbox,
    logger,
    health: () => ({}),
    ready: () => advisor.ready(),
    ...(config.METRICS_TOKEN && advisor.metrics
      ? { metrics: { source: advisor.metrics, token: config.METRICS_TOKEN } }
      : {}),
  });
  const url = await web.listen(0, '127.0.0.1');
  const server = {
    url,
    advisor,
    clock,
    dataDir,
    async post(path: string, body: unknown) {
      const res = await fetch(new URL(path, url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    get: (path: string, init: RequestInit = {}) => fetch(new URL(path, url), init),
    /** The metrics text, fetched with the token. */
    async scrape(): Promise<string> {
      const res = await fetch(new URL('/metrics', url), {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(200);
      return res.text();
    },
    async close() {
      await web.close();
      await advisor.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  running.push(server);
  return server;
}

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

/** One sample's value from Prometheus text, or undefined when the series is absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/i.exec(line);
    if (m && m[1] === name && (m[2] ?? '') === want) return Number(m[3]);
  }
  return undefined;
}

/** Status, headers and raw body bytes of one request (fetch hides a HEAD body either way). */
function raw(url: URL, method: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { method, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

const withToken = { env: { METRICS_TOKEN: TOKEN } };

describe('GET /metrics on the main server', () => {
  it('is off (404) without METRICS_TOKEN and METRICS_PORT', async () => {
    const s = await start();
    const res = await s.get('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
    // Nothing would serve them, so nothing counts: the advisor has no metrics at all.
    expect(s.advisor.metrics).toBeUndefined();
    const [reply] = await new Chat(s, 'u1').say('What counts as foreign interference?');
    expect(reply?.kind).toBe('answer');
  });

  it('needs the token as a bearer: missing, wrong, or another scheme is 401', async () => {
    const s = await start(withToken);
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789abcdef',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
      'Bearer',
    ]) {
      const res = await s.get('/metrics', authorization ? { headers: { authorization } } : {});
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      const body = await res.json();
      expect(body.error.code).toBe('unauthorized');
      expect(JSON.stringify(body)).not.toContain(TOKEN);
    }
  });

  it('serves the Prometheus text to the bearer of the token; HEAD gives headers only', async () => {
    const s = await start(withToken);
    const res = await s.get('/metrics', { headers: { authorization: `bearer  ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(text).toContain('# TYPE sister_city_answers_total counter');
    expect(sample(text, 'sister_city_answers_total', { outcome: 'answered' })).toBe(0);
    expect(sample(text, 'sister_city_answer_duration_seconds_count')).toBe(0);
    const head = await raw(new URL('/metrics', s.url), 'HEAD', {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.body).toBe('');
    expect((await raw(new URL('/metrics', s.url), 'HEAD')).status).toBe(401);
  });

  it('compares the token in constant time, over hashes, whatever the guess', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`BEARER ${TOKEN} `, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN} extra`, TOKEN)).toBe(false);
    expect(bearerMatches('Bearer ', TOKEN)).toBe(false);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
    expect(bearerMatches(`Bearer ${'x'.repeat(10_000)}`, TOKEN)).toBe(false);
  });

  it('keeps one registry per advisor: two servers in one process count apart', async () => {
    const a = await start(withToken);
    const b = await start(withToken);
    await new Chat(a, 'u1').say('What counts as foreign interference?');
    expect(sample(await a.scrape(), 'sister_city_answers_total', { outcome: 'answered' })).toBe(1);
    expect(sample(await b.scrape(), 'sister_city_answers_total', { outcome: 'answered' })).toBe(0);
  });
});

describe('METRICS_PORT: a separate listener on loopback', () => {
  it('serves /metrics without a token on 127.0.0.1 only, and nothing else', async () => {
    const s = await start({ env: { METRICS_PORT: '0' } });
    if (!s.advisor.metrics) throw new Error('METRICS_PORT alone should give the advisor metrics');
    const listener = new MetricsListener(s.advisor.metrics, silentLogger());
    const url = await listener.listen(0);
    running.push(listener);
    expect(url.hostname).toBe('127.0.0.1');
    expect(listener.server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });

    await new Chat(s, 'u1').say('What counts as foreign interference?');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(sample(await res.text(), 'sister_city_answers_total', { outcome: 'answered' })).toBe(1);
    expect((await raw(url, 'HEAD')).body).toBe('');

    expect((await fetch(new URL('/healthz', url))).status).toBe(404);
    expect((await fetch(new URL('/api/chat', url), { method: 'POST' })).status).toBe(404);
    const post = await fetch(url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    // The main server still has no /metrics: the token-free copy is only on loopback.
    expect((await s.get('/metrics')).status).toBe(404);

    // Not reachable on this machine's other addresses.
    const other = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (other) {
      const port = new URL(url).port;
      await expect(fetch(`http://${other.address}:${port}/metrics`)).rejects.toThrow();
    }
  });

  it('is refused by config when it is the same port as PORT; secrets are never echoed', () => {
    expect(() => loadConfig({ PORT: '9100', METRICS_PORT: '9100' })).toThrow(
      /METRICS_PORT \(9100\) is the same as PORT/,
    );
    expect(loadConfig({ METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    expect(loadConfig({}).METRICS_PORT).toBeUndefined();
    try {
      loadConfig({ METRICS_TOKEN: 'short secret' });
      expect.unreachable();
    } catch (err) {
      expect(isAdvisorError(err, 'config_invalid')).toBe(true);
      expect((err as Error).message).toContain('METRICS_TOKEN: must be');
      expect((err as Error).message).toContain('(got 12 characters, not shown)');
      expect((err as Error).message).not.toContain('short secret');
    }
  });
});

describe('what the metrics count', () => {
  it('answers by outcome, and one latency observation per answer', async () => {
    const s = await start(withToken);
    const chat = new Chat(s, 'u1');
    const [answered] = await chat.say('What counts as foreign interference?');
    const [declined] = await chat.say(
      'can you write me a press release about the delegation visit',
    );
    const [none] = await chat.say('who won the rugby in Invercargill?');
    expect([answered?.kind, declined?.kind, none?.kind]).toEqual([
      'answer',
      'declined',
      'no-guidance',
    ]);
    // Small talk and commands are not questions: they are not counted.
    await chat.say('kia ora');

    const text = await s.scrape();
    for (const outcome of ['answered', 'declined', 'no-guidance'])
      expect(sample(text, 'sister_city_answers_total', { outcome }), outcome).toBe(1);
    expect(sample(text, 'sister_city_answer_duration_seconds_count')).toBe(3);
    expect(sample(text, 'sister_city_answer_duration_seconds_bucket', { le: '+Inf' })).toBe(3);
    expect(sample(text, 'sister_city_llm_calls_total')).toBe(0);
  });

  it('LLM calls, and fallbacks to the extractive answer by reason', async () => {
    const llm = await startFakeOpenAI();
    running.push(llm);
    const s = await start({
      env: {
        ...withToken.env,
        LLM_BASE_URL: llm.baseUrl,
        LLM_TIMEOUT_MS: '2000',
        LLM_RATE_LIMIT_PER_MINUTE: '100',
        LLM_PICK_ENTRY: 'false',
      },
    });
    const chat = new Chat(s, 'u1');
    llm.script(modelSays('Foreign interference is covert activity by a foreign state [1].'));
    await chat.say('What counts as foreign interference?');
    llm.script(modelSays('See https://evil.example [1] [9].'));
    await chat.say('What counts as foreign interference?');
    // A declined question never reaches the model.
    await chat.say('can you write me a press release about the delegation visit');
    const text = await s.scrape();
    expect(sample(text, 'sister_city_llm_calls_total')).toBe(2);
    expect(sample(text, 'sister_city_llm_fallbacks_total', { reason: 'failed-check' })).toBe(1);
    expect(sample(text, 'sister_city_answers_total', { outcome: 'answered' })).toBe(2);
  });

  it('a raised case shows in cases by state and, undelivered, in the outbox backlog', async () => {
    const s = await start({ ...withToken, webInbox: false });
    let text = await s.scrape();
    expect(sample(text, 'sister_city_cases_open', { state: 'new' })).toBe(0);
    expect(sample(text, 'sister_city_outbox_pending')).toBe(0);

    const staff = new Chat(s, 'aroha');
    await staff.say('report');
    expect(sample(await s.scrape(), 'sister_city_checklists_active')).toBe(1);
    const done = await answerAll(staff, [
      'A delegation member asked me for the port expansion plans.',
      'At the dinner last Tuesday',
      'A member of the visiting delegation',
      'yes',
    ]);
    expect(done.map((r) => r.text).join('\n')).toMatch(/case SC-2026-0001 is saved/);

    text = await s.scrape();
    expect(sample(text, 'sister_city_checklists_active')).toBe(0);
    expect(sample(text, 'sister_city_cases_raised_total', { source: 'report' })).toBe(1);
    expect(sample(text, 'sister_city_cases_open', { state: 'new' })).toBe(1);
    expect(sample(text, 'sister_city_cases_open', { state: 'acknowledged' })).toBe(0);
    expect(sample(text, 'sister_city_outbox_pending')).toBe(1);
    expect(sample(text, 'sister_city_outbox_oldest_pending_seconds')).toBe(0);
    expect(sample(text, 'sister_city_outbox_deliveries_total', { result: 'error' })).toBe(1);

    // Two hours on (by the test clock): a reminder. Four days on: the deadline has passed.
    s.clock.advance(2 * HOUR);
    await s.advisor.scheduler.tick();
    text = await s.scrape();
    expect(sample(text, 'sister_city_case_reminders_total')).toBe(1);
    expect(sample(text, 'sister_city_outbox_oldest_pending_seconds')).toBe(2 * 3600);
    s.clock.advance(4 * 24 * HOUR);
    await s.advisor.scheduler.tick();
    text = await s.scrape();
    expect(sample(text, 'sister_city_case_deadline_escalations_total')).toBe(1);
    // The case went to the backup contact as well; nothing could be delivered.
    expect(sample(text, 'sister_city_outbox_pending')).toBeGreaterThan(1);
  });

  it('a delivered case leaves no backlog', async () => {
    const s = await start(withToken);
    const staff = new Chat(s, 'aroha');
    await staff.say('report');
    await answerAll(staff, [
      'A delegation member asked me for the port expansion plans.',
      'At the dinner last Tuesday',
      'A member of the visiting delegation',
      'yes',
    ]);
    const text = await s.scrape();
    expect(sample(text, 'sister_city_cases_open', { state: 'new' })).toBe(1);
    expect(sample(text, 'sister_city_outbox_pending')).toBe(0);
    expect(sample(text, 'sister_city_outbox_deliveries_total', { result: 'sent' })).toBe(1);
  });
});

describe('GET /readyz', () => {
  it('is 200 {"ready":true} while the store answers; HEAD gives headers only', async () => {
    const s = await start();
    const res = await s.get('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true });
    const head = await raw(new URL('/readyz', s.url), 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    // /healthz is liveness only and stays as it was.
    expect((await s.get('/healthz')).status).toBe(200);
  });

  it('is 503 once the store is closed, while /healthz stays 200', async () => {
    const s = await start();
    await s.advisor.store.close();
    const res = await s.get('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, reason: 'storage_unavailable' });
    expect((await raw(new URL('/readyz', s.url), 'HEAD')).status).toBe(503);
    expect((await s.get('/healthz')).status).toBe(200);
  });

  it('is 503 when the data folder is taken away under the running bot', async () => {
    const s = await start();
    await rm(join(s.dataDir, '.lock'));
    const res = await s.get('/readyz');
    expect(res.status).toBe(503);
    expect((await res.json()).reason).toBe('storage_unavailable');
  });

  it('is 503 with a code, and no detail, when an injected store fails', async () => {
    class FailingStore extends MemoryStore {
      override async ready(): Promise<void> {
        throw new Error('connect ECONNREFUSED 10.0.0.5:5432 (password=hunter2)');
      }
    }
    const s = await start({ store: new FailingStore() });
    const res = await s.get('/readyz');
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body).toEqual({ ready: false, reason: 'store_unavailable' });
  });
});

describe('the store methods behind the metrics and /readyz', () => {
  it('the memory store counts flows changed since a time, and is not ready once closed', async () => {
    const store = new MemoryStore();
    const flow = { name: 'checklist', data: {} };
    await store.setConversation('web:-:a', { updatedAt: '2026-11-20T00:00:00Z', flow });
    await store.setConversation('web:-:b', { updatedAt: '2026-11-01T00:00:00Z', flow });
    await store.setConversation('web:-:c', { updatedAt: '2026-11-20T00:00:00Z' });
    expect(await store.countFlows('2026-11-13T00:00:00Z')).toBe(1);
    expect(await store.countFlows('2026-10-01T00:00:00Z')).toBe(2);
    await expect(store.ready()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ready()).rejects.toMatchObject({ code: 'storage_unavailable' });
  });
});
