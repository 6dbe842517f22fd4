/**
 * Sign-in when things go wrong, against a real OpenID provider on loopback: a callback with the
 * wrong state, without a code, or replayed; `returnTo` pointing off the site; and the provider
 * not answering at start-up, at login or at the token exchange. Each gets a clear page, sets no
 * session, and leaves the server running; sign-in works again once the provider is back.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import {
  browserSignIn,
  providerLogin,
  type SignInApp,
  startSignInApp,
} from '../helpers/sign-in.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/** Starts a login: the provider URL's state and the signed login cookie. */
async function startLogin(app: SignInApp, returnTo?: string) {
  const q = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  const res = await app.api(`/auth/login${q}`);
  expect(res.status).toBe(303);
  const to = new URL(String(res.headers.get('location')));
  const cookie = String(res.headers.get('set-cookie')).split(';')[0] ?? '';
  expect(cookie).toMatch(/^sca_login=v1\./);
  // The login cookie is signed, not secret: its payload is readable JSON.
  const payload = JSON.parse(Buffer.from(cookie.split('.')[1] ?? '', 'base64url').toString());
  return { state: String(to.searchParams.get('state')), cookie, returnTo: payload.returnTo };
}

/** A callback path as the provider would send it (with `iss`, RFC 9207), from `params`. */
function callbackPath(app: SignInApp, params: Record<string, string>): string {
  const q = new URLSearchParams({ ...params, iss: String(app.provider?.issuer) });
  return `/auth/callback?${q}`;
}

/** Asserts a refused callback: a page (not JSON), the login cookie cleared, no session. */
function expectRefused(res: Awaited<ReturnType<SignInApp['api']>>, status: number, text: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(String(res.body)).toMatch(text);
  expect(String(res.body)).toContain('href="/auth/login"');
  expect(res.headers.get('set-cookie') ?? '').not.toMatch(/sca_session=v1/);
}

describe('sign-in callbacks that must fail', () => {
  let app: SignInApp;
  beforeAll(async () => {
    app = await startSignInApp();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('refuses a callback whose state is not the one this browser started with', async () => {
    const login = await startLogin(app);
    const path = callbackPath(app, { code: 'some-code', state: 'not-the-state-at-all' });
    const res = await app.api(path, { cookie: login.cookie });
    expectRefused(res, 400, /Sign-in could not be checked/);
    expect(res.headers.get('set-cookie')).toMatch(/^sca_login=; .*Max-Age=0/);
  });

  it('refuses a callback with the right state but no code', async () => {
    const login = await startLogin(app);
    const res = await app.api(callbackPath(app, { state: login.state }), { cookie: login.cookie });
    expectRefused(res, 400, /Sign-in could not be checked/);
    const none = await app.api('/auth/callback', { cookie: login.cookie });
    expectRefused(none, 400, /Sign-in could not be checked/);
  });

  it('refuses a replayed callback, with or without the login cookie it came with', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    let callback: string | undefined;
    page.on('request', (r) => {
      if (r.url().startsWith(`${app.base}/auth/callback`)) callback = r.url();
    });
    await page.goto(`${app.base}/`);
    // The login cookie this browser holds while it is at the provider.
    const held = (await context.cookies(app.base)).find((c) => c.name === 'sca_login');
    await providerLogin(page, 'aroha');
    await page.waitForURL(`${app.base}/`);
    const captured =
      callback && held ? { url: callback, cookie: `sca_login=${held.value}` } : undefined;
    if (!captured) throw new Error('the callback was not seen');
    const path = captured.url.slice(app.base.length);
    // The browser's own login cookie was cleared, so the same link again is "expired".
    expectRefused(await app.api(path), 400, /expired or was opened in another browser/);
    // Someone who copied the link and the cookie: the provider refuses the used code.
    expectRefused(
      await app.api(path, { cookie: captured.cookie }),
      400,
      /Sign-in could not be checked/,
    );
    await context.close();
  }, 30_000);

  it('refuses returnTo addresses that leave the site, and keeps paths on it', async () => {
    for (const evil of [
      '//evil.example',
      'https://evil.example',
      '/\\evil',
      '/\\/evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      'javascript:alert(1)',
      '/auth/logout',
    ])
      expect((await startLogin(app, evil)).returnTo, evil).toBe('/');
    expect((await startLogin(app, '/console/cases?status=new')).returnTo).toBe(
      '/console/cases?status=new',
    );
    // End to end: the provider sends the browser back, and it lands on this site's chat page.
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${app.base}/auth/login?returnTo=${encodeURIComponent('//evil.example/x')}`);
    await providerLogin(page, 'aroha');
    await page.waitForURL((u) => u.origin === app.base && !u.pathname.startsWith('/auth/'));
    expect(new URL(page.url()).pathname).toBe('/');
    await context.close();
  }, 30_000);

  it('says the sign-in service is unavailable when the provider stops answering at the token exchange', async () => {
    const login = await startLogin(app);
    const path = callbackPath(app, { code: 'some-code', state: login.state });
    await app.stopProvider();
    try {
      const res = await app.api(path, { cookie: login.cookie });
      expectRefused(res, 503, /Sign-in is not available right now/);
      // The server is still up.
      expect((await app.api('/healthz')).status).toBe(200);
    } finally {
      await app.startProvider();
    }
  });
});

describe('the provider down at start-up', () => {
  let app: SignInApp;
  beforeAll(async () => {
    app = await startSignInApp({ providerUp: false });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('starts anyway, says sign-in is unavailable, and signs people in once the provider is back', async () => {
    expect((await app.api('/healthz')).status).toBe(200);
    expect((await app.api('/api/me')).status).toBe(401);
    const chat = await app.api('/');
    expect(chat.status).toBe(303);
    const login = await app.api(String(chat.headers.get('location')));
    expect(login.status).toBe(503);
    expect(login.headers.get('retry-after')).toBe('60');
    expect(String(login.body)).toContain('Sign-in is not available right now');
    // No restart needed: the next sign-in asks the provider again.
    await app.startProvider();
    const aroha = await browserSignIn(browser, app.base, 'aroha');
    await aroha.page.getByText('Signed in as').waitFor();
    await aroha.context.close();
  }, 30_000);
});
