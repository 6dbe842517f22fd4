/**
 * The real process (src/main.ts) with METRICS_TOKEN and METRICS_PORT set: the wiring in the
 * composition root, not only the parts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bannerUrl, type ChildOutput, stopChild, watchOutput } from '../helpers/process.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

const TOKEN = 'process-metrics-token-0123456789';
let child: ChildProcess;
let dir: string;
let web: URL;
let metrics: URL;
let output: ChildOutput;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sca-metrics-process-'));
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
      DATA_DIR: join(dir, 'data'),
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS_PORT: '0',
      METRICS_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
      SCHEDULER_INTERVAL_MS: '3600000',
      SLACK_BOT_TOKEN: '',
      TEAMS_ENABLED: 'false',
      LLM_BASE_URL: '',
      EMBEDDINGS_BASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  output = watchOutput(child);
  [web, metrics] = await output.until((text): [URL, URL] | undefined => {
    const open = bannerUrl(text);
    const listening = /"url":"([^"]+)","msg":"metrics listening on this machine only"/.exec(text);
    return open && listening?.[1] ? [open, new URL(listening[1])] : undefined;
  });
}, 60_000);

afterAll(async () => {
  await stopChild(child);
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('serves /readyz, /metrics with the token, and the loopback listener without one', async () => {
  expect(metrics.hostname).toBe('127.0.0.1');
  expect(metrics.port).not.toBe(web.port);

  const ready = await fetch(new URL('/readyz', web));
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ ready: true });

  expect((await fetch(new URL('/metrics', web))).status).toBe(401);
  const authed = await fetch(new URL('/metrics', web), {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(authed.status).toBe(200);
  const text = await authed.text();
  expect(text).toContain('sister_city_answers_total{outcome="answered"} 0');
  // The running bot adds Node's process metrics.
  expect(text).toContain('process_cpu_user_seconds_total');

  const local = await fetch(metrics);
  expect(local.status).toBe(200);
  expect(await local.text()).toContain('sister_city_checklists_active 0');
  expect(output.text()).not.toContain(TOKEN);
}, 30_000);
