/**
 * Sign-in end to end against a real OpenID provider (oidc-provider on loopback), through its
 * login page in headless Chromium; then what a session cookie may and may not do.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../adapters/web/auth/signed.js';
import { launchChromium } from '../helpers/browser.js';
import { PEOPLE, type TestProvider } from '../helpers/oidc-provider.js';
import type { TestServer } from '../helpers/server.js';
import { browserSignIn, type SignInApp, seriousAxe, startSignInApp } from '../helpers/sign-in.js';

let app: SignInApp;
let provider: TestProvider;
let server: TestServer;
let browser: Browser;
let base: string;
/** The session clock: real time plus whatever a test adds (sessions expire in it). */
let offsetMs = 0;
const sessionClock = { now: () => new Date(Date.now() + offsetMs) };

const signIn = (login: string, path = '/') => browserSignIn(browser, base, login, path);
const api: SignInApp['api'] = (path, init) => app.api(path, init);
const axe = (page: Page) => seriousAxe(page);

let contact: Awaited<ReturnType<typeof signIn>>;
let staff: Awaited<ReturnType<typeof signIn>>;
let contactCsrf: string;
let staffCsrf: string;

describe('OpenID Connect sign-in', () => {
  beforeAll(async () => {
    app = await startSignInApp({ clock: sessionClock });
    ({ base, server } = app);
    provider = app.provider as TestProvider;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('sends someone who is not signed in to sign in, and answers the API with 401', async () => {
    const page = await api('/');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/auth\/login\?returnTo=/);
    expect((await api('/api/me')).status).toBe(401);
    expect((await api('/api/inbox')).status).toBe(401);
    const login = await api('/auth/login');
    const to = new URL(String(login.headers.get('location')));
    expect(to.origin).toBe(provider.issuer);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('state')).toBeTruthy();
    expect(to.searchParams.get('nonce')).toBeTruthy();
    expect(to.searchParams.get('scope')).toBe('openid profile email');
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
  });

  it('signs a security contact in through the provider’s login page, end to end', async () => {
    contact = await signIn('sam', '/console/cases');
    // Back where they were going: the console, as the contact named by email (any case).
    expect(new URL(contact.page.url()).pathname).toBe('/console/cases');
    await contact.page.getByRole('heading', { name: 'Cases', level: 1 }).waitFor();
    expect(await contact.page.getByText('Sam Security').first().isVisible()).toBe(true);
    expect(await axe(contact.page)).toEqual([]);
    const me = await api('/api/me', { cookie: contact.cookie });
    expect(me.body).toMatchObject({
      signedIn: true,
      id: 'security-contact',
      name: 'Sam Security',
      roles: ['contact'],
    });
    contactCsrf = me.body.csrfToken;
    const cookie = (await contact.context.cookies(base)).find((c) => c.name === 'sca_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    // The chat page: no role picker, who is signed in, and the console link.
    await contact.page.goto(base);
    await contact.page.getByText('Signed in as').waitFor();
    expect(await contact.page.locator('#identity').isVisible()).toBe(false);
    expect(await contact.page.getByRole('link', { name: 'Case console' }).isVisible()).toBe(true);
  }, 30_000);

  it('signs staff in with their oid as their id and no role; the console says it is for contacts', async () => {
    staff = await signIn('aroha');
    const me = await api('/api/me', { cookie: staff.cookie });
    expect(me.body).toMatchObject({ id: PEOPLE.aroha?.oid, roles: [] });
    staffCsrf = me.body.csrfToken;
    await staff.page.goto(`${base}/console/cases`);
    await staff.page.getByRole('heading', { name: 'This page is for security contacts' }).waitFor();
    expect(await axe(staff.page)).toEqual([]);
    expect((await api('/console/cases.csv', { cookie: staff.cookie })).status).toBe(403);
  }, 30_000);

  it('chats as the signed-in person; a page-sent userId cannot change who that is', async () => {
    const ok = await api('/api/chat', {
      method: 'POST',
      cookie: staff.cookie,
      csrf: staffCsrf,
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(ok.status).toBe(200);
    const spoof = await api('/api/chat', {
      method: 'POST',
      cookie: staff.cookie,
      csrf: staffCsrf,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'security-contact', text: 'cases' }),
    });
    expect(spoof.status).toBe(403);
    // Reading the contact's inbox by naming it is refused; without a name, one's own.
    const inbox = await api('/api/inbox?userId=security-contact', { cookie: staff.cookie });
    expect(inbox.status).toBe(403);
    expect((await api('/api/inbox', { cookie: staff.cookie })).status).toBe(200);
    expect(
      (await api('/api/events?userId=security-contact', { cookie: staff.cookie })).status,
    ).toBe(403);
  });

  it('refuses a state-changing request without the CSRF token, or from another site', async () => {
    const body = JSON.stringify({ text: 'hello' });
    const json = { 'content-type': 'application/json' };
    const none = await api('/api/chat', {
      method: 'POST',
      cookie: staff.cookie,
      headers: json,
      body,
    });
    expect(none).toMatchObject({ status: 403, body: { error: { code: 'csrf' } } });
    const wrong = await api('/api/chat', {
      method: 'POST',
      cookie: staff.cookie,
      csrf: contactCsrf,
      headers: json,
      body,
    });
    expect(wrong.status).toBe(403);
    const cross = await api('/api/chat', {
      method: 'POST',
      cookie: staff.cookie,
      csrf: staffCsrf,
      headers: { ...json, origin: 'https://evil.example' },
      body,
    });
    expect(cross).toMatchObject({ status: 403, body: { error: { code: 'cross_site' } } });
    const site = await api('/api/chat', {
      method: 'POST',
      cookie: staff.cookie,
      csrf: staffCsrf,
      headers: { ...json, 'sec-fetch-site': 'cross-site' },
      body,
    });
    expect(site.status).toBe(403);
  });

  it('lets a signed-in contact act on a case from the console, and refuses staff (403, nothing changes)', async () => {
    const cases = server.advisor.cases;
    if (!cases) throw new Error('escalation is off');
    const receipt = await cases.escalate({
      source: 'question',
      reporter: { platform: 'web', id: String(PEOPLE.aroha?.oid), name: 'Aroha Staff' },
      summary: 'A question for the security contact',
      details: 'Is this gift fine?',
      flags: [],
      answers: [],
    });
    const form = (csrf: string) => new URLSearchParams({ csrf, action: 'ack' }).toString();
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', origin: base };
    const refused = await api(`/console/cases/${receipt.id}`, {
      method: 'POST',
      cookie: staff.cookie,
      headers: formHeaders,
      body: form(staffCsrf),
    });
    expect(refused.status).toBe(403);
    expect(
      (await cases.caseFor({ platform: 'web', id: 'security-contact' }, receipt.id))?.status,
    ).toBe('new');
    const noToken = await api(`/console/cases/${receipt.id}`, {
      method: 'POST',
      cookie: contact.cookie,
      headers: formHeaders,
      body: new URLSearchParams({ action: 'ack' }).toString(),
    });
    expect(noToken.status).toBe(403);
    // Through the page, as a person would.
    await contact.page.goto(`${base}/console/cases/${receipt.id}`);
    await contact.page.getByRole('button', { name: 'Acknowledge' }).click();
    await contact.page.getByText(`Case ${receipt.id} acknowledged.`).waitFor();
    const c = await cases.caseFor({ platform: 'web', id: 'security-contact' }, receipt.id);
    expect(c?.status).toBe('acknowledged');
    expect(c?.history.find((e) => e.type === 'acknowledged')?.actor).toBe('web:-:security-contact');
    const audit = await server.advisor.store.readAudit();
    expect(
      audit.filter((e) => e.type === 'case-ack' && e.data?.caseId === receipt.id),
    ).toHaveLength(1);
    expect(await axe(contact.page)).toEqual([]);
  }, 30_000);

  it('treats a forged or tampered cookie as not signed in', async () => {
    const forger = new Signer('another-secret-of-at-least-32-characters!', sessionClock);
    const forged = forger.sign(
      'session',
      { sub: 'x', roles: ['contact'], csrf: 'a'.repeat(32) },
      3600,
    );
    expect((await api('/api/me', { cookie: `sca_session=${forged}` })).status).toBe(401);
    const value = contact.cookie.slice('sca_session='.length);
    const [v, payload, mac] = value.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = `${v}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${mac}`;
    expect((await api('/api/me', { cookie: `sca_session=${tampered}` })).status).toBe(401);
    expect((await api('/console/cases', { cookie: `sca_session=${tampered}` })).status).toBe(303);
    // The real one still works.
    expect((await api('/api/me', { cookie: contact.cookie })).status).toBe(200);
  });

  it('signs out: the cookie is cleared, the provider’s sign-out follows, and the old cookie no longer works', async () => {
    const out = await api('/auth/logout', {
      method: 'POST',
      cookie: staff.cookie,
      csrf: staffCsrf,
      headers: { accept: 'application/json', origin: base },
    });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^sca_session=; .*Max-Age=0/);
    expect(new URL(out.body.location).origin).toBe(provider.issuer);
    expect((await api('/api/me', { cookie: staff.cookie })).status).toBe(401);
    // In the browser, from the console's sign-out form: on to the provider's sign-out page.
    await contact.page.goto(`${base}/console/cases`);
    await contact.page.getByRole('button', { name: 'Sign out' }).click();
    await contact.page.waitForURL((u) => u.href.startsWith(provider.issuer));
    expect(
      (await contact.context.cookies(base)).find((c) => c.name === 'sca_session'),
    ).toBeUndefined();
    // And from the chat page's button.
    const casey = await signIn('casey');
    await casey.page.getByText('Signed in as').waitFor();
    expect(await casey.page.getByRole('link', { name: 'Case console' }).isVisible()).toBe(false);
    await casey.page.getByRole('button', { name: 'Sign out' }).click();
    await casey.page.waitForURL((u) => u.href.startsWith(provider.issuer));
    expect(
      (await casey.context.cookies(base)).find((c) => c.name === 'sca_session'),
    ).toBeUndefined();
    expect((await api('/api/me', { cookie: casey.cookie })).status).toBe(401);
  }, 30_000);

  it('ends a session when it expires', async () => {
    const again = await signIn('casey');
    const me = await api('/api/me', { cookie: again.cookie });
    expect(me.body).toMatchObject({ roles: ['curator'] });
    offsetMs = 8 * 3600_000 + 1000;
    expect((await api('/api/me', { cookie: again.cookie })).status).toBe(401);
    offsetMs = 0;
  }, 30_000);
});
