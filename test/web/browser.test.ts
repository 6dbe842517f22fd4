/**
 * End-to-end test of the web chat page in a real browser (Debian's chromium, driven by
 * playwright-core) against the real server and the fixture knowledge.
 */
import { createRequire } from 'node:module';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from '../helpers/browser.js';
import { FIXTURE_KNOWLEDGE, startTestServer, type TestServer } from '../helpers/server.js';

const require = createRequire(import.meta.url);
/** axe-core's browser bundle, evaluated in the page (the page's CSP forbids inline scripts). */
const AXE_SOURCE: string = require('axe-core').source;
/**
 * axe-core findings we accept, each with the reason. Serious and critical ones are never
 * accepted; a moderate or minor one must be explained here.
 */
const AXE_EXPLAINED: Record<string, string> = {};

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

/**
 * The contrast ratio (WCAG 2) of an element's text against what is behind it, from computed
 * styles: its own background over its ancestors' backgrounds, with opacity applied. With
 * `outline`, the ratio of its outline colour against the backdrop instead (focus indicators
 * need 3:1).
 */
function contrastOf(target: Locator, what: 'text' | 'outline' = 'text'): Promise<number> {
  return target.evaluate((el, part) => {
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba => {
      const m = /^rgba?\(([^)]+)\)$/.exec(c);
      if (!m?.[1]) throw new Error(`unexpected colour ${c}`);
      const [r = 0, g = 0, b = 0, a = 1] = m[1]
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [r, g, b, a];
    };
    const over = (top: Rgba, under: Rgba): Rgba => [
      top[0] * top[3] + under[0] * (1 - top[3]),
      top[1] * top[3] + under[1] * (1 - top[3]),
      top[2] * top[3] + under[2] * (1 - top[3]),
      1,
    ];
    const ancestors: Element[] = [];
    for (let n = el.parentElement; n; n = n.parentElement) ancestors.unshift(n);
    let backdrop: Rgba = [255, 255, 255, 1];
    for (const n of ancestors)
      backdrop = over(parse(getComputedStyle(n).backgroundColor), backdrop);
    const css = getComputedStyle(el);
    let back = over(parse(css.backgroundColor), backdrop);
    let front = over(parse(part === 'outline' ? css.outlineColor : css.color), back);
    if (part === 'outline') back = backdrop;
    let opacity = 1;
    for (let n: Element | null = el; n; n = n.parentElement)
      opacity *= Number(getComputedStyle(n).opacity);
    if (opacity < 1) {
      front = over([front[0], front[1], front[2], opacity], backdrop);
      back = over([back[0], back[1], back[2], opacity], backdrop);
    }
    const luminance = (c: Rgba) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [hi, lo] = [luminance(front), luminance(back)].sort((x, y) => y - x) as [number, number];
    return (hi + 0.05) / (lo + 0.05);
  }, what);
}

/** Runs axe-core on the whole page; returns the findings not explained in AXE_EXPLAINED. */
async function axeFindings(): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    (window as any).axe.run(document, { resultTypes: ['violations'] }),
  );
  return (result.violations as any[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || !(v.id in AXE_EXPLAINED))
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`,
    );
}

describe('web chat in a browser', () => {
  beforeAll(async () => {
    server = await startTestServer({ knowledgeDir: FIXTURE_KNOWLEDGE });
    browser = await launchChromium();
    ({ page } = await openPage(browser, { width: 1024, height: 800 }, problems));
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

  it('updates a case in place when its status changes, and shows the change as one new line', async () => {
    await page.getByLabel('Your role').selectOption({ label: 'Security contact' });
    await waitForLiveEvents();
    // Someone else files a report; the case reaches the contact's page over the stream.
    for (const text of [
      'report',
      'A delegation member asked me for the port expansion plans.',
      'At the dinner last Tuesday',
      'A member of the visiting delegation',
      'yes',
    ])
      expect((await server.post('/api/chat', { userId: 'tama', text })).status).toBe(200);
    const card = log.locator('.msg', { hasText: 'Raised by:' });
    await card.getByText(/New case SC-\d{4}-\d{4} for the security contact/).waitFor();
    const id = /SC-\d{4}-\d{4}/.exec((await card.textContent()) ?? '')![0];
    const entry = await card.getAttribute('data-entry');
    const rows = await log.locator('.msg').count();

    const before = await botCount();
    await card.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await waitForReply(before);
    await log.getByText(`Case ${id} acknowledged. The reporter has been told.`).waitFor();
    // The same message, redrawn: new status, no Acknowledge button, other actions kept.
    await card.getByText(`Case ${id}: acknowledged.`).waitFor();
    expect(await card.count()).toBe(1);
    expect(await card.getAttribute('data-entry')).toBe(entry);
    expect(await card.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    expect(await card.getByRole('button', { name: 'Resolve', exact: true }).count()).toBe(1);
    // Two new rows only: what the contact pressed, and the one-line change.
    expect(await log.locator('.msg').count()).toBe(rows + 2);
    expect(await log.locator('.msg').last().textContent()).toBe(
      `Advisor: ✓Done: Case ${id} acknowledged. The reporter has been told.`,
    );
    // The pressed button went with the old status, so focus moved to the question box.
    expect(await focused()).toMatchObject({ id: 'question' });
    expect(await axeFindings()).toEqual([]);
    await page.screenshot({ path: '/tmp/web-chat-case.png' });

    // A reload shows the case as it is now, once.
    await page.reload();
    await card.getByText(`Case ${id}: acknowledged.`).waitFor();
    expect(await card.count()).toBe(1);
    await page.getByLabel('Your role').selectOption({ label: 'Staff member' });
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
      .getByText(/Step 1 of (about )?\d+/)
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

  it('keeps every button state readable: at least 4.5:1 at rest, hovered, focused, pressed and disabled', async () => {
    const userId = await pageUserId();
    await waitForLiveEvents();
    await server.inbox.notify({ platform: 'web', id: userId! }, [
      {
        kind: 'notice',
        blocks: [
          {
            type: 'buttons',
            buttons: [
              { id: 'ask', label: 'A primary button', value: 'x', style: 'primary' },
              { id: 'ask', label: 'A danger button', value: 'x', style: 'danger' },
              { id: 'ask', label: 'A plain button', value: 'x' },
            ],
          },
          {
            type: 'choice',
            id: 'checklist:answer',
            question: 'Pick several',
            multiple: true,
            options: [
              { label: 'Chosen, not sent', value: 'm=a' },
              { label: 'Not chosen', value: 'm=b' },
            ],
          },
          {
            type: 'choice',
            id: 'checklist:answer',
            question: 'Pick several, untouched',
            multiple: true,
            options: [{ label: 'Untouched', value: 'u=a' }],
          },
          {
            type: 'choice',
            id: 'checklist:answer',
            question: 'Pick one',
            options: [
              { label: 'Chosen and sent', value: 's=a' },
              { label: 'Passed over', value: 's=b' },
            ],
          },
        ],
      },
    ]);
    const card = log.locator('.msg', { hasText: 'Pick one' }).last();
    await card.waitFor();
    const button = (name: string) => card.getByRole('button', { name, exact: true });
    // A multiple choice in progress: one option pressed, Done enabled.
    await button('Chosen, not sent').click();
    expect(await button('Chosen, not sent').getAttribute('aria-pressed')).toBe('true');
    // A single choice answered: the chosen option stays pressed, every option disabled.
    const before = await botCount();
    await button('Chosen and sent').click();
    await waitForReply(before);
    expect(await button('Chosen and sent').isDisabled()).toBe(true);
    expect(await button('Chosen and sent').getAttribute('aria-pressed')).toBe('true');
    expect(await button('Passed over').isDisabled()).toBe(true);
    // The untouched multiple choice's Done button is a disabled primary button.
    const disabledDone = card
      .locator('.choice', { hasText: 'untouched' })
      .getByRole('button', { name: 'Done' });
    expect(await disabledDone.isDisabled()).toBe(true);

    const targets: [string, Locator][] = [
      ['primary', button('A primary button')],
      ['danger', button('A danger button')],
      ['plain', button('A plain button')],
      ['pressed', button('Chosen, not sent')],
      ['not pressed', button('Not chosen')],
      [
        'Done',
        card
          .locator('.choice', { hasText: 'Pick several' })
          .first()
          .getByRole('button', { name: 'Done' }),
      ],
      ['Done, disabled', disabledDone],
      ['pressed, disabled', button('Chosen and sent')],
      ['disabled', button('Passed over')],
      ['Send', page.locator('#send')],
      ['Clear conversation', page.locator('#clear')],
      [
        'Start pre-trip checklist',
        log.getByRole('button', { name: 'Start pre-trip checklist' }).first(),
      ],
    ];
    const low: string[] = [];
    const check = (name: string, state: string, ratio: number, min = 4.5) => {
      if (!(ratio >= min)) low.push(`${name}, ${state}: ${ratio.toFixed(2)}:1`);
    };
    for (const [name, target] of targets) {
      await target.scrollIntoViewIfNeeded();
      await page.mouse.move(0, 0);
      check(name, 'at rest', await contrastOf(target));
      await target.hover();
      check(name, 'hovered', await contrastOf(target));
      await page.mouse.move(0, 0);
      if (await target.isEnabled()) {
        // Focus as a keyboard user would see it: after a key press, focus shows its outline.
        await page.keyboard.press('Shift');
        await target.focus();
        expect(await target.evaluate((el) => el.matches(':focus-visible'))).toBe(true);
        check(name, 'focused', await contrastOf(target));
        // The focus outline is not text: 3:1 against what surrounds it.
        check(name, 'focus outline', await contrastOf(target, 'outline'), 3);
        await target.blur();
      }
    }
    expect(low).toEqual([]);
  });

  it('has no accessibility problems that axe-core can find', async () => {
    // The log holds answers, sources, notices, a checklist step, pressed and disabled buttons.
    expect(await axeFindings()).toEqual([]);
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

  it('wraps a long related question onto several lines instead of cutting it', async () => {
    const title =
      "Canada's foreign interference law (Bill C-70) and municipal access to intelligence";
    const userId = await pageUserId();
    await waitForLiveEvents();
    await server.inbox.notify({ platform: 'web', id: userId! }, [
      {
        kind: 'answer',
        blocks: [
          { type: 'paragraph', text: 'Related questions:' },
          {
            type: 'buttons',
            buttons: [{ id: 'show-entry', label: title, value: 'fi-definition' }],
          },
        ],
      },
    ]);
    const related = log.getByRole('button', { name: title, exact: true });
    await related.waitFor();
    const box = await related.evaluate((el) => ({
      text: el.textContent,
      height: el.getBoundingClientRect().height,
      lineHeight: Number.parseFloat(getComputedStyle(el).lineHeight),
      overflows: el.scrollWidth > el.clientWidth,
    }));
    expect(box.text).toBe(title);
    expect(box.height).toBeGreaterThan(box.lineHeight * 2);
    expect(box.overflows).toBe(false);
    await related.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/web-chat-related-320.png' });
    // Narrow screens pass axe too.
    expect(await axeFindings()).toEqual([]);
  });

  it('ran without script errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
