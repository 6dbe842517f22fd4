/**
 * The curator's loop through the real process (src/main.ts) in local mode with
 * RECORD_UNANSWERED=true: a question the guidance cannot answer, asked over /api/chat with an
 * email address in it, shows up on /console/knowledge for the Curator role, redacted. Also checks
 * the composition root's wiring of both consoles (one stylesheet for both).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bannerUrl, stopChild, watchOutput } from '../helpers/process.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

let child: ChildProcess;
let dir: string;
let web: URL;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sca-knowledge-process-'));
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
      DATA_DIR: join(dir, 'data'),
      HOST: '127.0.0.1',
      PORT: '0',
      RECORD_UNANSWERED: 'true',
      LOG_LEVEL: 'info',
      SCHEDULER_INTERVAL_MS: '3600000',
      SLACK_BOT_TOKEN: '',
      TEAMS_ENABLED: 'false',
      LLM_BASE_URL: '',
      EMBEDDINGS_BASE_URL: '',
      OIDC_ISSUER: '',
      OIDC_CLIENT_ID: '',
      OIDC_CLIENT_SECRET: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  web = await watchOutput(child).until(bannerUrl);
}, 60_000);

afterAll(async () => {
  await stopChild(child);
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('records an unanswerable question asked over /api/chat and shows it to the curator, redacted', async () => {
  const asked = await fetch(new URL('/api/chat', web), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      userId: 'aroha',
      text: 'Can we fly a drone over the festival? Email me at aroha.te@example.com',
    }),
  });
  expect(asked.status).toBe(200);
  const curator = { cookie: 'sca_local_user=local-curator' };
  // Recording is written after the reply is sent; wait for it (no fixed sleep).
  let html = '';
  for (let i = 0; i < 50 && !html.includes('drone'); i++) {
    const res = await fetch(new URL('/console/knowledge', web), { headers: curator });
    expect(res.status).toBe(200);
    html = await res.text();
    if (!html.includes('drone')) await new Promise((r) => setTimeout(r, 100));
  }
  expect(html).toContain('Can we fly a drone over the festival? Email me at [email]');
  expect(html).not.toContain('example.com');
  // Kept on disk redacted too, with no user id.
  const stored = await readFile(join(dir, 'data', 'unanswered.jsonl'), 'utf8');
  expect(stored).toContain('[email]');
  expect(stored).not.toContain('example.com');
  expect(stored).not.toContain('aroha"');
  // Staff (the role picker's default) do not get in.
  const staff = await fetch(new URL('/console/knowledge', web), {
    headers: { cookie: 'sca_local_user=aroha' },
  });
  expect(staff.status).toBe(403);
  // The one stylesheet both consoles share, as the composition root mounts them.
  const css = await (await fetch(new URL('/console/console.css', web))).text();
  expect(css).toContain('.console-header');
  expect(css).toContain('.examples');
}, 30_000);
