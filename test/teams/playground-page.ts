/**
 * Driving the Microsoft 365 Agents Playground's page in Debian's Chromium with playwright-core.
 * Its page is a Teams look-alike: a Lexical message box, messages with "Message author"
 * headers, and cards rendered by the adaptivecards library (`.ac-adaptiveCard`).
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromiumProfile } from '../helpers/browser.js';

/** Chromium with a fresh profile, and the page it opened. */
export interface PlaygroundBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Launches Chromium headless on a fresh user-data-dir; only loopback requests get through. */
export async function launchBrowser(): Promise<PlaygroundBrowser> {
  const { context, close } = await launchChromiumProfile({ width: 1280, height: 900 });
  // The page asks Office's CDN for fonts and animations. Refuse at once rather than wait on a
  // lookup: the test never leaves this machine, and the page works without them.
  await context.route(
    (url) => !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname),
    (route) => route.abort('blockedbyclient'),
  );
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  return { context, page, close };
}

/** The message box (a Lexical editor). */
export function messageBox(page: Page): Locator {
  return page.locator('[data-lexical-editor="true"][role="textbox"]');
}

/** Every rendered Adaptive Card, oldest first. */
export function cards(page: Page): Locator {
  return page.locator('.ac-adaptiveCard');
}

/**
 * Waits until the playground can take a first message. Its page shows the message box before
 * its conversation stream (a WebSocket) is necessarily live, and a reply that arrives before
 * then is never shown: that is the dropped first message. So wait for proof of each part:
 * "Connected." in its log panel (it has reached the bot) and the bot's greeting card, which
 * it sends when the playground installs it on page load and which only comes over that stream.
 */
export async function waitForReady(page: Page, greeting: string | RegExp): Promise<void> {
  await page.getByText('Connected.', { exact: true }).first().waitFor();
  await cards(page).filter({ hasText: greeting }).first().waitFor();
  await messageBox(page).waitFor();
}

/** Messages in the conversation with exactly this text (not the log panel's copy of them). */
function messagesSaying(page: Page, text: string): Locator {
  return page.locator('[aria-label="Message header"] + *').getByText(text, { exact: true });
}

/**
 * Types `text` into the message box like a person and sends it with Enter. Fails, rather than
 * retrying, if the box did not take the text or the message never appears in the conversation.
 */
export async function say(page: Page, text: string): Promise<void> {
  const before = await messagesSaying(page, text).count();
  const box = messageBox(page);
  await box.click();
  await box.pressSequentially(text);
  const typed = ((await box.textContent()) ?? '').trim();
  if (typed !== text) throw new Error(`The message box holds "${typed}", not "${text}".`);
  await box.press('Enter');
  await messagesSaying(page, text)
    .nth(before)
    .waitFor()
    .catch((err: unknown) => {
      throw new Error(`"${text}" was sent but never appeared in the conversation.`, {
        cause: err,
      });
    });
}
