/**
 * axe-core on every page the web surface serves, in headless Chromium, with sign-in on (a real
 * OpenID provider on loopback) and in local mode: the chat page, both consoles' list, detail,
 * error and 403 pages, and the sign-in flow's own pages (signed out, a failed callback, the
 * provider not answering). Each must have no serious or critical violation, load its stylesheet
 * and script without an error, and keep its skip link off-screen until it is focused.
 */
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  browserSignIn,
  SIGN_IN_CONTACTS,
  type SignedIn,
  type SignInApp,
  seriousAxe,
  startSignInApp,
} from '../helpers/sign-in.js';

let browser: Browser;

/** What is wrong with the page at `url`: axe findings, failed loads, script errors, a visible skip link. */
async function problemsAt(page: Page, url: string, ready: string | RegExp): Promise<string[]> {
  const problems: string[] = [];
  const onResponse = (r: Response) => {
    // The document itself may be a 4xx page on purpose; its stylesheet and script may not.
    const document = r.request().resourceType() === 'document';
    if (r.status() >= 400 && !document && !r.url().endsWith('/favicon.ico'))
      problems.push(`${r.status()} for ${r.url()}`);
  };
  const onError = (e: Error) => problems.push(`page error: ${e.message}`);
  page.on('response', onResponse);
  page.on('pageerror', onError);
  try {
    await page.goto(url);
    await page.getByRole('heading', { name: ready }).first().waitFor();
    problems.push(...(await seriousAxe(page)));
    const skip = await page.evaluate(() => {
      const a = Array.from(document.querySelectorAll('a')).find((x) =>
        /^Skip/.test(x.textContent ?? ''),
      );
      if (!a) return 'none';
      const r = a.getBoundingClientRect();
      return r.right <= 0 || r.bottom <= 0 ? 'hidden' : 'shown';
    });
    if (skip === 'none') problems.push('no skip link');
    else if (skip === 'shown')
      problems.push('the skip link shows before it is focused (stylesheet?)');
  } finally {
    page.off('response', onResponse);
    page.off('pageerror', onError);
  }
  return problems;
}

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('every page with sign-in on', () => {
  let app: SignInApp;
  let sam: SignedIn;
  let casey: SignedIn;
  let aroha: SignedIn;
  let caseId: string;

  beforeAll(async () => {
    app = await startSignInApp({ env: { RECORD_UNANSWERED: 'true' } });
    const s = app.server;
    await s.advisor.bot.handle({
      user: { platform: 'web', id: 'aroha' },
      conversation: { id: 'dm', kind: 'direct' },
      text: 'Can we fly a drone over the festival?',
    });
    await s.advisor.unanswered.idle();
    const receipt = await s.advisor.cases?.escalate({
      source: 'question',
      reporter: { platform: 'web', id: 'oid-aroha-0001', name: 'Aroha Staff' },
      summary: 'A question for the security contact',
      details: 'Is this gift fine?',
      flags: [],
      answers: [],
    });
    caseId = String(receipt?.id);
    sam = await browserSignIn(browser, app.base, 'sam');
    casey = await browserSignIn(browser, app.base, 'casey');
    aroha = await browserSignIn(browser, app.base, 'aroha');
  }, 90_000);
  afterAll(async () => {
    for (const who of [sam, casey, aroha]) await who?.context.close();
    await app?.close();
  });

  it('the chat page, signed in', async () => {
    const page = casey.page;
    expect(await problemsAt(page, `${app.base}/`, 'Sister City Advisor')).toEqual([]);
    await page.getByText('Signed in as').waitFor();
    expect(await seriousAxe(page)).toEqual([]);
  }, 30_000);

  it('the case console: list, a bad filter, detail, no such case, and the 403 page', async () => {
    const b = app.base;
    expect(await problemsAt(sam.page, `${b}/console/cases`, 'Cases')).toEqual([]);
    expect(await problemsAt(sam.page, `${b}/console/cases?status=bogus`, 'Cases')).toEqual([]);
    expect(await problemsAt(sam.page, `${b}/console/cases/${caseId}`, `Case ${caseId}`)).toEqual(
      [],
    );
    expect(
      await problemsAt(sam.page, `${b}/console/cases/AB-2026-0001`, 'There is no case'),
    ).toEqual([]);
    expect(
      await problemsAt(aroha.page, `${b}/console/cases`, 'This page is for security contacts'),
    ).toEqual([]);
  }, 60_000);

  it('the knowledge console: the page, a filter, and the 403 page', async () => {
    const b = app.base;
    expect(await problemsAt(casey.page, `${b}/console/knowledge`, 'Knowledge console')).toEqual([]);
    expect(
      await problemsAt(casey.page, `${b}/console/knowledge?outcome=declined`, 'Knowledge console'),
    ).toEqual([]);
    expect(
      await problemsAt(aroha.page, `${b}/console/knowledge`, 'This page is for knowledge curators'),
    ).toEqual([]);
  }, 30_000);

  it('the sign-in flow’s pages: signed out, a failed or expired callback', async () => {
    const context: BrowserContext = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const b = app.base;
    expect(await problemsAt(page, `${b}/auth/signed-out`, /signed out/)).toEqual([]);
    expect(
      await problemsAt(page, `${b}/auth/callback?code=x&state=y`, 'This sign-in link has expired'),
    ).toEqual([]);
    expect(
      await problemsAt(page, `${b}/auth/callback?error=access_denied`, 'Sign-in did not finish'),
    ).toEqual([]);
    await context.close();
  }, 30_000);
});

describe('the page when the provider does not answer', () => {
  let app: SignInApp;
  beforeAll(async () => {
    app = await startSignInApp({ providerUp: false });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('is clear and accessible', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    expect(await problemsAt(page, `${app.base}/`, 'Sign-in is not available')).toEqual([]);
    await context.close();
  }, 30_000);
});

describe('every page in local mode', () => {
  let s: TestServer;
  let dir: string;
  beforeAll(async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    dir = await mkdtemp(join(tmpdir(), 'sca-axe-'));
    await writeFile(join(dir, 'contacts.yaml'), SIGN_IN_CONTACTS);
    s = await startTestServer({
      caseConsole: true,
      knowledgeConsole: true,
      env: { RECORD_UNANSWERED: 'true', CONTACTS_FILE: join(dir, 'contacts.yaml') },
    });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    const { rm } = await import('node:fs/promises');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the chat page, both consoles as their roles, and their 403 pages', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const u = (p: string) => new URL(p, s.url).href;
    expect(await problemsAt(page, u('/'), 'Sister City Advisor')).toEqual([]);
    expect(
      await problemsAt(page, u('/console/knowledge'), 'This page is for knowledge curators'),
    ).toEqual([]);
    expect(
      await problemsAt(page, u('/console/cases'), 'This page is for security contacts'),
    ).toEqual([]);
    // The role picker keeps the chosen id in this cookie (see the console-knowledge-access test).
    const as = (id: string) =>
      context.addCookies([{ name: 'sca_local_user', value: id, url: s.url.href }]);
    await as('local-curator');
    expect(await problemsAt(page, u('/console/knowledge'), 'Knowledge console')).toEqual([]);
    await as('security-contact');
    expect(await problemsAt(page, u('/console/cases'), 'Cases')).toEqual([]);
    await context.close();
  }, 60_000);
});
