/**
 * Headless Chromium for the browser tests (Debian's chromium, driven by playwright-core): one
 * place for where it is, the flags it runs with and how a test page is set up.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where Chromium is (CHROMIUM_PATH to change it). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The flags every test browser runs with, besides its headless flag: nothing leaves this machine
 * on the browser's own account (no QUIC, sync, component updates or background requests).
 * Each launch also gets a fresh user-data-dir (playwright makes one for `launchChromium`).
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails with how to install Chromium when it is missing. */
function requireChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
}

/** Launches headless Chromium, or says how to install it. */
export async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', ...CHROMIUM_FLAGS] });
}

/** Chromium on a profile of its own, removed again by `close`. */
export interface ChromiumProfile {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches headless Chromium on a fresh user-data-dir of its own (a persistent context). */
export async function launchChromiumProfile(viewport: {
  width: number;
  height: number;
}): Promise<ChromiumProfile> {
  requireChromium();
  const profile = await mkdtemp(join(tmpdir(), 'sca-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ['--headless', ...CHROMIUM_FLAGS],
    viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A new context and page of this size, waiting at most 10 s for anything, with its script errors
 * and console errors (CSP violations show up there) pushed onto `problems`. A failed load is left
 * to the caller: Chromium reports it as a console error without its URL.
 */
export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number },
  problems: string[],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text()))
      problems.push(`console: ${msg.text()}`);
  });
  return { context, page };
}
