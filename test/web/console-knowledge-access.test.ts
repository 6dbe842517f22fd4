/**
 * The knowledge console with the real access rules, not the test double: with sign-in on (a real
 * OpenID provider on loopback, Chromium through its login page) a curator matched by email gets
 * in and downloads the CSV, anyone else gets the 403 page; in local mode the chat page's role
 * picker ("Curator") is what lets someone in.
 */
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  browserSignIn,
  type SignedIn,
  type SignInApp,
  startSignInApp,
} from '../helpers/sign-in.js';

let browser: Browser;

/** Records one unanswerable question, with an email and a phone number in it. */
async function askUnanswerable(s: TestServer): Promise<void> {
  await s.advisor.bot.handle({
    user: { platform: 'web', id: 'aroha' },
    conversation: { id: 'dm', kind: 'direct' },
    text: 'Can we fly a drone over the festival? Email aroha.te@example.com or call 021 555 1234',
  });
  await s.advisor.unanswered.idle();
}

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('the knowledge console with sign-in on', () => {
  let app: SignInApp;
  let casey: SignedIn;

  beforeAll(async () => {
    app = await startSignInApp({ env: { RECORD_UNANSWERED: 'true' } });
    await askUnanswerable(app.server);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('sends someone who is not signed in to sign in, and back to the console afterwards', async () => {
    const res = await app.api('/console/knowledge');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/auth/login?returnTo=%2Fconsole%2Fknowledge');
    expect((await app.api('/console/knowledge/unanswered.csv')).status).toBe(303);
  });

  it('lets a curator matched by email in, redacted, and the CSV downloads', async () => {
    casey = await browserSignIn(browser, app.base, 'casey', '/console/knowledge');
    const { page } = casey;
    expect(new URL(page.url()).pathname).toBe('/console/knowledge');
    await page.getByRole('heading', { name: 'Knowledge console', level: 1 }).waitFor();
    const text = String(await page.locator('main').textContent());
    expect(text).toContain('[email]');
    expect(text).toContain('[phone]');
    expect(text).not.toContain('aroha.te@example.com');
    // Who is signed in, as on the case console.
    expect(await page.locator('header').textContent()).toContain('Casey Curator');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download these groups as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('unanswered-all.csv');
    const csv = await readFile(String(await download.path()), 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^count,first_asked,/);
    expect(csv).toContain('[email]');
    expect(csv).not.toContain('example.com');
  }, 30_000);

  it('has no state-changing requests: POST is refused (405) even with a valid session and token', async () => {
    // The console only reads. Should it ever gain a form, that route must call checkCsrf and get
    // its own CSRF test here; until then a POST must not reach any handler.
    const me = await app.api('/api/me', { cookie: casey.cookie });
    for (const path of ['/console/knowledge', '/console/knowledge/unanswered.csv']) {
      const res = await app.api(path, {
        method: 'POST',
        cookie: casey.cookie,
        csrf: me.body.csrfToken,
        headers: { origin: app.base, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'outcome=all',
      });
      expect(res.status, path).toBe(405);
      expect(res.headers.get('allow')).toMatch(/GET/);
    }
  });

  it('signs out from the console, on to the provider', async () => {
    const { page, context } = casey;
    await page.goto(`${app.base}/console/knowledge`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.href.startsWith(String(app.provider?.issuer)));
    expect((await context.cookies(app.base)).find((c) => c.name === 'sca_session')).toBeUndefined();
    expect((await app.api('/console/knowledge', { cookie: casey.cookie })).status).toBe(303);
  }, 30_000);

  it('shows a signed-in non-curator the 403 page, and no data', async () => {
    const aroha = await browserSignIn(browser, app.base, 'aroha', '/console/knowledge');
    await aroha.page
      .getByRole('heading', { name: 'This page is for knowledge curators', level: 1 })
      .waitFor();
    expect(await aroha.page.locator('body').textContent()).not.toContain('drone');
    const page = await app.api('/console/knowledge', { cookie: aroha.cookie });
    expect(page.status).toBe(403);
    const csv = await app.api('/console/knowledge/unanswered.csv', { cookie: aroha.cookie });
    expect(csv.status).toBe(403);
    expect(String(csv.body)).not.toContain('drone');
    // A security contact is not a curator either.
    const sam = await browserSignIn(browser, app.base, 'sam');
    expect((await app.api('/console/knowledge', { cookie: sam.cookie })).status).toBe(403);
    await aroha.context.close();
    await sam.context.close();
  }, 30_000);
});

describe('the knowledge console in local mode (the real LocalAccess)', () => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer({
      knowledgeConsole: true,
      caseConsole: true,
      env: { RECORD_UNANSWERED: 'true' },
    });
    await askUnanswerable(s);
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  it('opens to "Curator" in the chat page’s role picker, and to no other role', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(new URL('/', s.url).href);
    const link = page.getByRole('link', { name: 'Knowledge console' });
    // Staff by default: no console link, and the console says who it is for.
    expect(await link.isVisible()).toBe(false);
    await page.goto(new URL('/console/knowledge', s.url).href);
    await page.getByRole('heading', { name: 'This page is for knowledge curators' }).waitFor();
    await page.goto(new URL('/', s.url).href);
    await page.getByLabel('Your role').selectOption({ label: 'Curator' });
    await link.click();
    await page.waitForURL((u) => u.pathname === '/console/knowledge');
    await page.getByRole('heading', { name: 'Knowledge console', level: 1 }).waitFor();
    expect(await page.locator('main').textContent()).toContain('[email]');
    expect(await page.locator('header').textContent()).toContain('Local mode (no sign-in)');
    // Security contact is not a curator.
    await page.goto(new URL('/', s.url).href);
    await page.getByLabel('Your role').selectOption({ label: 'Security contact' });
    expect(await link.isVisible()).toBe(false);
    const res = await page.goto(new URL('/console/knowledge', s.url).href);
    expect(res?.status()).toBe(403);
    await context.close();
  }, 30_000);

  it('refuses POST (405): the console has no state-changing requests in local mode either', async () => {
    const res = await fetch(new URL('/console/knowledge', s.url), {
      method: 'POST',
      headers: { cookie: 'sca_local_user=local-curator' },
    });
    expect(res.status).toBe(405);
  });
});
