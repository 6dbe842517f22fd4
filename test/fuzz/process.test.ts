/**
 * The real process (src/main.ts) with every surface on: Slack in HTTP mode against a loopback
 * Web API stub, and Teams. The request lines from the issue used to make it exit; now it must
 * answer them and a sample of the fuzz inputs, and still be running and healthy afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bannerUrl, type ChildOutput, stopChild, watchOutput } from '../helpers/process.js';
import { FIXTURE_KNOWLEDGE } from '../slack/harness.js';
import { SlackApiStub } from '../slack/stub.js';
import { badHeaders, requestLines } from './inputs.js';
import { sendRaw } from './wire.js';

let child: ChildProcess;
let stub: SlackApiStub;
let dir: string;
let url: URL;
let output: ChildOutput;

beforeAll(async () => {
  stub = await SlackApiStub.start();
  dir = await mkdtemp(join(tmpdir(), 'sca-process-'));
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
      DATA_DIR: join(dir, 'data'),
      PORT: '0',
      LOG_LEVEL: 'error',
      ESCALATION_ENABLED: 'false',
      SCHEDULER_INTERVAL_MS: '3600000',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'process-test-secret',
      SLACK_APP_TOKEN: '',
      SLACK_API_URL: stub.apiUrl,
      TEAMS_ENABLED: 'true',
      MicrosoftAppId: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  output = watchOutput(child);
  url = await output.until(bannerUrl);
});

afterAll(async () => {
  await stopChild(child);
  await stub?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('answers the request lines from the issue and 201 fuzz inputs, and keeps running', async () => {
  const issue = ['GET //[', 'GET http://[/', 'GET //a:99999/', 'POST //['].map((line) =>
    Buffer.from(`${line} HTTP/1.1\r\nHost: x\r\n\r\n`),
  );
  const fuzz = ['/api/chat', '/slack/events', '/api/messages'].flatMap((path) => [
    ...fc.sample(requestLines(path), { seed: 7, numRuns: 40 }).map((i) => i.bytes),
    ...fc.sample(badHeaders(path), { seed: 7, numRuns: 27 }).map((i) => i.bytes),
  ]);
  const answers = [];
  for (const bytes of [...issue, ...fuzz]) answers.push(await sendRaw(url, bytes));
  for (const [i, answer] of answers.slice(0, issue.length).entries()) {
    expect(answer.status, String(issue[i])).toBe(400);
  }
  const notRefused = answers.filter(
    (a) => a.timedOut || (a.status !== undefined && a.status < 400),
  );
  expect(notRefused).toEqual([]);
  expect(child.exitCode).toBeNull();
  const health = await fetch(new URL('/healthz', url));
  expect(health.status).toBe(200);
  const head = await fetch(new URL('/healthz', url), { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(output.text()).not.toMatch(/Invalid URL|Unhandled|TypeError/);
}, 60_000);
