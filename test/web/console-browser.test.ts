/**
 * The knowledge console in headless Chromium: axe-core finds no serious or critical problem,
 * the CSP reports nothing, and every link is reachable with the keyboard and shows its focus.
 */
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from '../helpers/browser.js';
import { startConsoleServer } from '../helpers/console.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE: string = require('axe-core').source;

let s: Awaited<ReturnType<typeof startConsoleServer>>;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  s = await startConsoleServer();
  browser = await launchChromium();
  // A 404 shows up as a console error without its URL: the response listener names it instead.
  ({ page } = await openPage(browser, { width: 1024, height: 800 }, problems));
  page.on('response', (res) => {
    // Chromium asks for a favicon on its own; the console has none.
    if (res.status() >= 400 && !res.url().endsWith('/favicon.ico'))
      problems.push(`${res.status()} for ${res.url()}`);
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
  await s?.cleanup();
});

/** axe-core violations that are serious or critical. */
async function seriousFindings(): Promise<string[]> {
  // The page's CSP forbids inline scripts, so axe is evaluated through the DevTools protocol.
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    (window as any).axe.run(document, { resultTypes: ['violations'] }),
  );
  return (result.violations as any[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`,
    );
}

describe('the knowledge console in a browser', () => {
  it('has no serious or critical axe-core findings, wide and narrow, and no CSP errors', async () => {
    await page.goto(new URL('/console/knowledge?as=cara', s.url).href);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Knowledge console');
    expect(await page.getByRole('heading', { name: 'Questions without an answer' }).count()).toBe(
      1,
    );
    // The stylesheet loaded (a blocked one would leave the default table layout).
    expect(
      await page.evaluate(() => getComputedStyle(document.querySelector('table')!).borderCollapse),
    ).toBe('collapse');
    expect(await seriousFindings()).toEqual([]);
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await seriousFindings()).toEqual([]);
    await page.setViewportSize({ width: 1024, height: 800 });
    expect(problems).toEqual([]);
  });

  it('is usable with the keyboard: Tab reaches the filters and the CSV link, with a visible focus', async () => {
    await page.goto(new URL('/console/knowledge', s.url).href);
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const css = getComputedStyle(el);
        return {
          text: el.textContent ?? '',
          outline: css.outlineStyle,
          width: Number.parseFloat(css.outlineWidth),
        };
      });
      seen.push(f.text);
      if (f.text.startsWith('Download')) {
        expect(f.outline).not.toBe('none');
        expect(f.width).toBeGreaterThanOrEqual(2);
        break;
      }
    }
    expect(seen[0]).toBe('Skip to content');
    expect(seen).toContain('Declined (out of scope)');
    expect(seen.at(-1)).toMatch(/^Download/);
    // Enter on a filter link follows it.
    await page.getByRole('link', { name: 'Declined (out of scope)' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/outcome=declined/);
    expect(await page.getByText('1 group of similar questions').count()).toBe(1);
  });
});
