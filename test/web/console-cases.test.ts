/**
 * The security contact's console in local mode (no sign-in): list, countdown, filters, a case's
 * page with its actions (the same rules and audit entries as the chat), exports and live
 * updates, in headless Chromium with axe-core on every page.
 */
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseService } from '../../src/escalation/service.js';
import { launchChromium, openPage } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE: string = require('axe-core').source;
const XSS = '<img src=x onerror="window.__x=1">';

let server: TestServer;
let cases: CaseService;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
const problems: string[] = [];
const reporter = { platform: 'web' as const, id: 'web-reporter01', name: 'Aroha Staff' };

async function raise(
  summary: string,
  source: 'question' | 'report' = 'question',
  details?: string,
) {
  return cases.escalate({
    source,
    reporter,
    summary,
    ...(details ? { details } : {}),
    flags: [],
    answers: [],
  });
}

async function axe(): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const found: { id: string; impact: string }[] = await page.evaluate(() =>
    (window as any).axe
      .run(document, { resultTypes: ['violations'] })
      .then((r: any) => r.violations),
  );
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
}

/** A request as the local page would send it, as `who` (the role picker's cookie). */
async function as(who: string, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('cookie', `sca_local_user=${who}`);
  return fetch(`${base}${path}`, { ...init, headers, redirect: 'manual' });
}

/** The CSRF token a local page gets for `who`. */
async function tokenFor(who: string): Promise<string> {
  return ((await (await as(who, '/api/me')).json()) as { csrfToken: string }).csrfToken;
}

describe('the security contact’s console (local mode)', () => {
  beforeAll(async () => {
    server = await startTestServer({ caseConsole: true });
    base = server.url.href.replace(/\/$/, '');
    if (!server.advisor.cases) throw new Error('escalation is off');
    cases = server.advisor.cases;
    browser = await launchChromium();
    ({ context, page } = await openPage(browser, { width: 1100, height: 900 }, problems));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is for security contacts: anyone else gets a page that says so, or 403', async () => {
    await context.addCookies([{ name: 'sca_local_user', value: 'web-someone', url: base }]);
    const res = await page.goto(`${base}/console/cases`);
    expect(res?.status()).toBe(403);
    await page.getByRole('heading', { name: 'This page is for security contacts' }).waitFor();
    expect(await axe()).toEqual([]);
    expect((await as('web-someone', '/console/cases.json')).status).toBe(403);
    expect((await fetch(`${base}/console/cases.json`)).status).toBe(403);
  });

  it('lists open cases with their age, status and working-hours countdown, escaped', async () => {
    await raise('A question for the security contact');
    await raise(XSS, 'report', 'They offered a gift.');
    await context.addCookies([{ name: 'sca_local_user', value: 'security-contact', url: base }]);
    await page.goto(`${base}/console/cases`);
    const table = page.getByRole('table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(2);
    // Friday 14:00 in Auckland, four working hours to acknowledge: until Monday 10:00.
    expect(await table.getByText('4 working hours left').count()).toBe(2);
    expect(await table.getByText(XSS).isVisible()).toBe(true);
    expect(await page.evaluate(() => (window as any).__x)).toBeUndefined();
    expect(await page.locator('table img').count()).toBe(0);
    expect(await axe()).toEqual([]);
    // 20:00 Friday: the afternoon's three working hours are gone, the weekend counts for none.
    server.clock.advance(6 * 3600_000);
    await page.reload();
    expect(await page.getByText('1 working hour left').count()).toBe(2);
  });

  it('filters by status, kind and date in the URL, and explains a bad filter', async () => {
    await page.goto(`${base}/console/cases`);
    await page.getByLabel('Kind').selectOption('report');
    await page.getByRole('button', { name: 'Show cases' }).click();
    await page.waitForURL(/source=report/);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.goto(`${base}/console/cases?status=resolved`);
    await page.getByText('No cases match.').waitFor();
    await page.goto(`${base}/console/cases?from=2026-11-28`);
    await page.getByText('No cases match.').waitFor();
    const bad = await page.goto(`${base}/console/cases?from=yesterday`);
    expect(bad?.status()).toBe(400);
    await page.getByRole('alert').getByText('Give the "from" date as YYYY-MM-DD.').waitFor();
  });

  it('acts on a case from its page with the chat’s rules and audit entries, then redirects back', async () => {
    const { id } = await raise('Acted on from the console');
    await page.goto(`${base}/console/cases/${id}`);
    await page.getByRole('heading', { name: `Case ${id}` }).waitFor();
    expect(await axe()).toEqual([]);
    // By keyboard: the focused button shows its focus ring, and Enter presses it.
    const ack = page.getByRole('button', { name: 'Acknowledge' });
    await ack.focus();
    const outline = await ack.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .getByText(`Case ${id} acknowledged. The reporter has been told.`)
      .waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/cases/${id}`);
    // A second acknowledgement changes nothing and says so calmly (the core's rule).
    const again = await cases.perform({ platform: 'web', id: 'security-contact' }, 'ack', id);
    expect(again).toMatchObject({ ok: false, tone: 'info' });
    await page.getByLabel('Question for the reporter').fill('Who offered it?');
    await page.getByRole('button', { name: 'Ask for information' }).click();
    await page.getByText('Your question has been sent to the reporter.').waitFor();
    await page.getByLabel('Outcome note (optional)').fill('Declined politely.');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText(`Case ${id} resolved. The reporter has been told.`).waitFor();
    await page.getByText('there is nothing more to do').waitFor();
    expect(await axe()).toEqual([]);
    const audit = (await server.advisor.store.readAudit()).filter((e) => e.data?.caseId === id);
    expect(audit.map((e) => [e.type, e.actor])).toEqual([
      ['case-raised', 'web:-:web-reporter01'],
      ['case-ack', 'web:-:security-contact'],
      ['case-info', 'web:-:security-contact'],
      ['case-resolve', 'web:-:security-contact'],
    ]);
    // The audit trail is on the page.
    expect(await page.getByText('case-resolve by Security contact (web)').count()).toBe(1);
    // The reporter heard, as from the chat.
    const told = server.inbox.drain(reporter.id).messages.map((m) => JSON.stringify(m.reply));
    expect(told.some((t) => t.includes('Declined politely.'))).toBe(true);
  }, 30_000);

  it('refuses a form without the token, from another site, or with a bad action; nothing changes', async () => {
    const { id } = await raise('Left alone');
    const token = await tokenFor('security-contact');
    const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      as('security-contact', `/console/cases/${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(body).toString(),
      });
    expect((await post({ action: 'ack' })).status).toBe(403);
    expect((await post({ action: 'ack', csrf: 'x'.repeat(43) })).status).toBe(403);
    expect(
      (await post({ action: 'ack', csrf: token }, { origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect((await post({ action: 'ack', csrf: await tokenFor('web-someone') })).status).toBe(403);
    const other = await as('web-someone', `/console/cases/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'ack', csrf: await tokenFor('web-someone') }).toString(),
    });
    expect(other.status).toBe(403);
    const bad = await post({ action: 'delete', csrf: token });
    expect(bad.status).toBe(303);
    const noQuestion = await post({ action: 'info', note: '   ', csrf: token });
    await page.goto(`${base}${noQuestion.headers.get('location')}`);
    await page
      .getByRole('alert')
      .getByText('Please write the question for the reporter.')
      .waitFor();
    const c = await cases.caseFor({ platform: 'web', id: 'security-contact' }, id);
    expect(c?.status).toBe('new');
    expect(c?.history.map((e) => e.type)).toEqual(['raised']);
  });

  it('exports the filtered list as CSV (quoted, formulas defused) and JSON', async () => {
    await raise('=HYPERLINK("https://evil.example","click")', 'report', 'a "quoted", multi\nline');
    const csv = await (await as('security-contact', '/console/cases.csv?source=report')).text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,raised_at,source,status/);
    expect(csv).toContain(`"'=HYPERLINK(""https://evil.example"",""click"")"`);
    expect(csv).toContain('"a ""quoted"", multi\nline"');
    const res = await as('security-contact', '/console/cases.json?source=report');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="cases-/);
    const json = (await res.json()) as { source: string }[];
    expect(json.length).toBe(2);
    expect(json.every((c) => c.source === 'report')).toBe(true);
  });

  it('updates the list and a case’s page live when a case changes', async () => {
    await page.goto(`${base}/console/cases`);
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open');
    const { id } = await raise('Raised while the list was open');
    await page.getByRole('link', { name: id }).waitFor();
    await page.goto(`${base}/console/cases/${id}`);
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open');
    // Acknowledged from the chat: the page shows it without a reload.
    await server.post('/api/chat', {
      userId: 'security-contact',
      action: { id: 'case:ack', value: id },
    });
    await page
      .locator('[data-live="case"] dd')
      .getByText('acknowledged', { exact: true })
      .waitFor();
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
