/**
 * The bot in a real Teams-like client: the real bot (src/main.ts with TEAMS_ENABLED=true, as
 * `npm run playground:teams` starts it) with the fixture knowledge, the Microsoft 365 Agents
 * Playground on it, and its page in headless Chromium. Nothing leaves this machine.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type RunningBot,
  type RunningPlayground,
  startBot,
  startPlayground,
} from '../../scripts/playground/launch.js';
import { CHROMIUM } from '../helpers/browser.js';
import {
  cards,
  launchBrowser,
  type PlaygroundBrowser,
  say,
  waitForReady,
} from './playground-page.js';

const FIXTURE_KNOWLEDGE = fileURLToPath(new URL('../fixtures/knowledge', import.meta.url));
const SCREENSHOT = '/tmp/teams-playground.png';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SKIP_REASON = `no Chromium at ${CHROMIUM}: install it with apt-get install -y chromium, or set CHROMIUM_PATH`;
if (!HAS_CHROMIUM) console.warn(`Skipping the Agents Playground test: ${SKIP_REASON}.`);
const TITLE = HAS_CHROMIUM
  ? 'Teams in the Microsoft 365 Agents Playground'
  : `Teams in the Microsoft 365 Agents Playground (skipped: ${SKIP_REASON})`;

describe.skipIf(!HAS_CHROMIUM)(TITLE, () => {
  let dataDir: string;
  let bot: RunningBot | undefined;
  let playground: RunningPlayground | undefined;
  let browser: PlaygroundBrowser | undefined;
  let page: Page;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sca-playground-'));
    bot = await startBot({
      port: await freePort(),
      dataDir,
      env: { KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, LOG_LEVEL: 'warn' },
      echo: false,
    });
    playground = await startPlayground({
      endpoint: bot.endpoint,
      port: 0,
      openBrowser: false,
      logFile: join(dataDir, 'agentsplayground.log'),
      echo: false,
    });
    browser = await launchBrowser();
    page = browser.page;
    await page.goto(playground.url.href);
    await waitForReady(page, "I'm Sister City Advisor");
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await playground?.child.stop();
    await bot?.child.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('renders an answer card with its source as a link', async () => {
    await say(page, 'what counts as foreign interference?');
    const answer = cards(page).filter({ hasText: 'Foreign interference is covert' }).last();
    const source = answer.locator('a[href="https://example.org/fi-definition"]');
    await source.waitFor();
    expect(await source.textContent()).toBe('Fixture source for fi-definition');
    expect(await answer.textContent()).toContain('Last reviewed: 10 January 2026');
    await page.screenshot({ path: SCREENSHOT });
  });

  it('starts the pre-trip checklist at its first step', async () => {
    await say(page, 'pretrip');
    const step = cards(page).filter({ hasText: 'Step 1 of' }).last();
    await step.waitFor();
    const text = await step.textContent();
    expect(text).toContain('Pre-trip security checklist');
    expect(text).toContain('Is this an overseas trip on council business');
  });

  it('kept both processes running', () => {
    expect(bot?.child.running).toBe(true);
    expect(playground?.child.running).toBe(true);
  });
});
