/**
 * End-to-end test of the web chat page in a real browser (Debian's chromium, driven by
 * playwright-core) against the real server and the fixture knowledge.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_KNOWLEDGE, startTestServer, type TestServer } from '../helpers/server.js';

/** Debian's chromium; CHROMIUM_PATH may point elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = '/tmp/web-chat.png';
const XSS = '<img src=x onerror="window.__x=1">';

let server: TestServer;
let browser: Browser;
let page: Page;
let log: Locator;
/** Script errors and console errors (CSP violations show up here). */
const problems: string[] = [];

/** Number of advisor messages in the log. */
function botCount(): Promise<number> {
  return page.locator('#log .msg--bot').count();
}

/** Waits until a request has finished and at least one more advisor message is shown. */
async function waitForReply(before: number): Promise<void> {
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('#log .msg--bot').length > n &&
      (document.getElementById('typing') as HTMLElement).hidden,
    before,
  );
}

/** Types a question into the labelled box and presses Enter. */
async function ask(text: string): Promise<void> {
  const before = await botCount();
  const input = page.getByLabel('Ask a question');
  await input.fill(text);
  await input.press('Enter');
  await waitForReply(before);
}

/** The focused element's id and computed outline. */
function focused() {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const css = getComputedStyle(el);
    return {
      id: el.id,
      tag: el.tagName.toLowerCase(),
      outlineStyle: css.outlineStyle,
      outlineWidth: Number.parseFloat(css.outlineWidth),
    };
  });
}

/** Presses Tab until the element with `id` has focus; fails after `max` presses. */
async function tabTo(id: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if ((await focused()).id === id) return;
  }
  throw new Error(`#${id} never got focus after ${max} presses of Tab.`);
}

function pageUserId(): Promise<string | null> {
  return page.evaluate(() => localStorage.getItem('sca.userId'));
}

/** Waits until the page's event stream is connected, so server pushes reach it. */
async function waitForLiveEvents(): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset.live === 'open');
}

describe('web chat in a browser', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `The browser tests need Chromium at ${CHROMIUM}, and it is missing. ` +
          'Install it with: apt-get install -y chromium',
      );
    }
    server = await startTestServer({ knowledgeDir: FIXTURE_KNOWLEDGE });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) {
        problems.push(`console: ${msg.text()}`);
      }
    });
    await page.goto(server.url.href);
    log = page.getByRole('log');
    await log.locator('.msg').first().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('greets a first-time visitor with three example questions', async () => {
    expect(await page.title()).toBe('Sister City Advisor');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sister City Advisor');
    expect(await log.textContent()).toContain("I'm Sister City Advisor");
    for (const q of [
      'What counts as foreign interference?',
      'How do I report a concern?',
      'What should I do about phones and laptops on a trip?',
    ]) {
      expect(await log.getByRole('button', { name: q, exact: true }).count()).toBe(1);
    }
    expect(await page.getByLabel('Your name').count()).toBe(1);
    expect(await page.getByLabel('Your role').count()).toBe(1);
    expect(await log.getAttribute('aria-live')).toBe('polite');
    expect(await pageUserId()).toMatch(/^web-[a-f0-9]+$/);
  });

  it('answers a typed question with its source and review date', async () => {
    await ask('what counts as foreign interference?');
    await log.getByText('Foreign interference is covert, deceptive or coercive activity').waitFor();
    const source = log.locator('a[href="https://example.org/fi-definition"]');
    expect(await source.count()).toBe(1);
    expect(await source.getAttribute('target')).toBe('_blank');
    expect(await source.getAttribute('rel')).toBe('noopener noreferrer');
    const text = await log.textContent();
    expect(text).toContain('Fixture source for fi-definition');
    expect(text).toContain('Test Publisher, August 2025');
    expect(text).toContain('Last reviewed: 10 January 2026');
    // The question is shown as the user's message, labelled for screen readers.
    const mine = log.locator('.msg--user').last();
    expect(await mine.textContent()).toBe('You: what counts as foreign interference?');
    // The box is empty and ready for the next question.
    expect(await page.getByLabel('Ask a question').inputValue()).toBe('');
    expect(await focused()).toMatchObject({ id: 'question' });
    await page.screenshot({ path: SCREENSHOT });
  });

  it('takes feedback and disables both feedback buttons', async () => {
    const before = await botCount();
    await log.getByRole('button', { name: 'Helpful', exact: true }).click();
    await waitForReply(before);
    await log.getByText('Thanks for the feedback.').waitFor();
    expect(await log.getByRole('button', { name: 'Helpful', exact: true }).isDisabled()).toBe(true);
    expect(await log.getByRole('button', { name: 'Not helpful', exact: true }).isDisabled()).toBe(
      true,
    );
    expect(await log.locator('.msg--user').last().textContent()).toBe('You: Helpful');
  });

  it('says plainly when it has no guidance', async () => {
    await ask('who won the rugby in Invercargill?');
    await log.getByText("don't have guidance").first().waitFor();
  });

  it('keeps the conversation after a reload', async () => {
    await page.reload();
    await log.getByText('Foreign interference is covert, deceptive or coercive activity').waitFor();
    const text = await log.textContent();
    expect(text).toContain('what counts as foreign interference?');
    expect(text).toContain('Thanks for the feedback.');
    expect(text).toContain('who won the rugby in Invercargill?');
    expect(text).toContain("don't have guidance");
    // The greeting stays first, once; the feedback already given stays given.
    expect(await log.getByText("I'm Sister City Advisor").count()).toBe(1);
    expect(await log.getByRole('button', { name: 'Helpful', exact: true }).isDisabled()).toBe(true);
  });

  it('shows messages the bot sends later, without a reload', async () => {
    const userId = await pageUserId();
    expect(userId).toBeTruthy();
    await waitForLiveEvents();
    const result = await server.inbox.notify({ platform: 'web', id: userId! }, [
      {
        kind: 'notice',
        blocks: [{ type: 'notice', tone: 'info', text: 'Your security contact has replied.' }],
      },
    ]);
    expect(result.ok).toBe(true);
    await log.getByText('Your security contact has replied.').waitFor();
    // It is part of the saved conversation too.
    const saved = await page.evaluate((id) => localStorage.getItem(`sca.history.${id}`), userId);
    expect(saved).toContain('Your security contact has replied.');
  });

  it('can be used with the keyboard, with a visible focus outline', async () => {
    await page.reload();
    await log.locator('.msg').first().waitFor();
    // The first Tab reaches the skip link.
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'a' });
    await page.keyboard.press('Escape');
    await page.evaluate(() => (document.activeElement as HTMLElement).blur());

    await tabTo('question');
    const input = await focused();
    expect(input.outlineStyle).not.toBe('none');
    expect(input.outlineWidth).toBeGreaterThan(0);

    await page.keyboard.press('Tab');
    const send = await focused();
    expect(send.id).toBe('send');
    expect(send.outlineStyle).not.toBe('none');
    expect(send.outlineWidth).toBeGreaterThan(0);

    // Shift+Enter makes a new line rather than sending.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    expect(await page.getByLabel('Ask a question').inputValue()).toBe('first line\nsecond line');
    await page.getByLabel('Ask a question').fill('');
  });

  it('never turns question text into markup', async () => {
    await ask(XSS);
    await log.getByText(XSS).waitFor();
    expect(await log.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as any).__x)).toBeUndefined();
  });

  it('only links to http and https addresses', async () => {
    const userId = await pageUserId();
    await waitForLiveEvents();
    await server.inbox.notify({ platform: 'web', id: userId! }, [
      {
        kind: 'answer',
        blocks: [
          {
            type: 'sources',
            sources: [
              {
                title: 'Sneaky source',
                publisher: 'Nobody',
                url: 'javascript:window.__y=1',
                date: '2024-10-08',
              },
            ],
            reviewed: '2026-11-27',
          },
        ],
      },
    ]);
    await log.getByText('Sneaky source').waitFor();
    expect(await log.locator('a[href^="javascript:"]').count()).toBe(0);
    const text = await log.textContent();
    expect(text).toContain('Nobody, 8 October 2024');
    expect(text).toContain('Last reviewed: 27 November 2026');
  });

  it('shows a server error in the chat and keeps what was typed', async () => {
    await page.route('**/api/chat', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'unavailable', message: 'The advisor is restarting. Try again shortly.' },
        }),
      }),
    );
    await ask('How do I report a concern?');
    await log.getByText('The advisor is restarting. Try again shortly.').waitFor();
    const input = page.getByLabel('Ask a question');
    expect(await input.inputValue()).toBe('How do I report a concern?');
    expect(await page.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
    await page.unroute('**/api/chat');

    // Sending again works once the server is back.
    const before = await botCount();
    await input.press('Enter');
    await waitForReply(before);
    await log.getByText("Tell your council's security contact first").waitFor();
    expect(await input.inputValue()).toBe('');
  });

  it('uses the name and role from the identity bar', async () => {
    await page.getByLabel('Your name').fill('Aroha');
    await page.getByLabel('Your role').selectOption({ label: 'Security contact' });
    // A different person, a different conversation: the greeting again.
    await log.getByText("I'm Sister City Advisor").waitFor();
    expect(
      await log.locator('.msg--user', { hasText: 'what counts as foreign interference?' }).count(),
    ).toBe(0);

    const request = page.waitForRequest((r) => r.url().endsWith('/api/chat'));
    const before = await botCount();
    await log.getByRole('button', { name: 'How do I report a concern?', exact: true }).click();
    const body = (await request).postDataJSON();
    expect(body).toEqual({
      userId: 'security-contact',
      userName: 'Aroha',
      action: { id: 'ask', value: 'How do I report a concern?' },
    });
    await waitForReply(before);
    await log.getByText("Tell your council's security contact first").waitFor();

    // Both are remembered across a reload.
    await page.reload();
    expect(await page.getByLabel('Your name').inputValue()).toBe('Aroha');
    expect(await page.getByLabel('Your role').inputValue()).toBe('security');
    await log.getByText("Tell your council's security contact first").waitFor();

    // Back to staff member: the earlier conversation returns.
    await page.getByLabel('Your role').selectOption({ label: 'Staff member' });
    await log
      .locator('.msg--user', { hasText: 'what counts as foreign interference?' })
      .first()
      .waitFor();
  });

  it('runs the pre-trip checklist with buttons, typed answers and a multiple choice', async () => {
    /** Clicks the newest button with this name and waits for the reply. */
    const click = async (name: string) => {
      const before = await botCount();
      await log.getByRole('button', { name, exact: true }).last().click();
      await waitForReply(before);
    };
    await click('Start pre-trip checklist');
    await log
      .getByText(/Step 1 of \d+/)
      .last()
      .waitFor();
    await click('Overseas trip');
    await log.getByText('Step 2 of').last().waitFor();
    await ask('Sister-city anniversary visit');
    await ask('5/3/2027');
    await ask('1/3/2027');
    // An end date before the start is explained and asked again.
    await log.getByText("That's before the start date you gave").last().waitFor();
    await ask('12/3/2027');
    await ask('Kumagaya, Japan');
    await click('The council');
    await click('No gifts expected');
    // Devices: several answers, sent together with Done.
    await log.getByRole('button', { name: 'My personal phone', exact: true }).last().click();
    await log.getByRole('button', { name: 'A loan or travel device', exact: true }).last().click();
    await click('Done');
    expect(await page.locator('#log .msg--user').last().textContent()).toContain(
      'My personal phone, A loan or travel device',
    );
    await log.getByText('Have you registered the trip on SafeTravel?').last().waitFor();
    // Back returns to the devices step.
    await click('Back');
    await log.getByText('Which devices will you take?').last().waitFor();
    await click('Cancel');
    await log.getByText("I've cancelled the pre-trip security checklist").waitFor();
  });

  it('clears the conversation', async () => {
    await page.getByRole('button', { name: 'Clear conversation' }).click();
    await log.getByText("I'm Sister City Advisor").waitFor();
    expect(await log.locator('.msg').count()).toBe(1);
    await page.reload();
    await log.locator('.msg').first().waitFor();
    expect(await log.locator('.msg').count()).toBe(1);
  });

  it('fits a 320px wide screen', async () => {
    await page.setViewportSize({ width: 320, height: 640 });
    await ask('what counts as foreign interference?');
    await log.getByText('Last reviewed: 10 January 2026').waitFor();
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      log: (document.getElementById('log') as HTMLElement).scrollWidth,
      logClient: (document.getElementById('log') as HTMLElement).clientWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(320);
    expect(widths.log).toBeLessThanOrEqual(widths.logClient);
    await page.screenshot({ path: '/tmp/web-chat-320.png' });
  });

  it('ran without script errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
