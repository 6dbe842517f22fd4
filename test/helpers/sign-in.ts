/**
 * Sign-in for the tests: the app on a known loopback port with the real OpenID Connect access,
 * a real provider (oidc-provider) in front of it, headless Chromium, and a browser sign-in
 * through the provider's own login and consent pages. Shared by the auth, console and axe tests.
 * Chromium itself is launched by `browser.ts`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createWebAccess } from '../../adapters/web/auth/index.js';
import type { Clock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { startProvider, type TestProvider } from './oidc-provider.js';
import { startTestServer, type TestServer } from './server.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE: string = require('axe-core').source;
/** The session secret the sign-in tests use. */
export const SESSION_SECRET = 'test-session-secret-0123456789-abcdefghij';

/**
 * The contacts file: Sam is the primary contact by email, Casey a curator by email only (no web
 * id, as a curator who only ever signs in would be).
 */
export const SIGN_IN_CONTACTS = `primary:
  name: Sam Security
  email: sam.security@council.govt.nz
  web: security-contact
backup:
  name: Backup contact
  web: security-backup
curators:
  - name: Casey Curator
    email: casey@council.govt.nz
`;

/** A loopback port nobody is listening on (now). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** axe-core's serious and critical violations on the page, as "id: where". */
export async function seriousAxe(page: Page): Promise<string[]> {
  // The pages' CSP forbids inline scripts, so axe is evaluated through the DevTools protocol.
  await page.evaluate(AXE_SOURCE);
  const found: { id: string; impact: string; nodes: { target: string[] }[] }[] =
    await page.evaluate(() =>
      (window as any).axe
        .run(document, { resultTypes: ['violations'] })
        .then((r: any) => r.violations),
    );
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** A browser that has signed in: its context, page and the session cookie for fetch. */
export interface SignedIn {
  context: BrowserContext;
  page: Page;
  cookie: string;
}

/** Signs in through the provider's login and consent pages (any password), starting at `path`. */
export async function browserSignIn(
  browser: Browser,
  base: string,
  login: string,
  path = '/',
): Promise<SignedIn> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${base}${path}`);
  await providerLogin(page, login);
  await page.waitForURL((u) => u.href.startsWith(base) && !u.pathname.startsWith('/auth/'));
  const session = (await context.cookies(base)).find((c) => c.name === 'sca_session');
  if (!session) throw new Error('no session cookie after sign-in');
  return { context, page, cookie: `sca_session=${session.value}` };
}

/** Fills in the provider's own login and consent pages. */
export async function providerLogin(page: Page, login: string): Promise<void> {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** The app with sign-in on, and its provider. */
export interface SignInApp {
  base: string;
  server: TestServer;
  /** Undefined while the provider is down (`providerUp: false`, or after `stopProvider`). */
  provider: TestProvider | undefined;
  providerPort: number;
  /** Brings the provider (back) up on its port. */
  startProvider(): Promise<TestProvider>;
  stopProvider(): Promise<void>;
  /** fetch on the app, never following redirects; the body parsed as JSON when it is JSON. */
  api(
    path: string,
    init?: RequestInit & { cookie?: string; csrf?: string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * Starts the app on a free loopback port with the real sign-in access and both consoles, and the
 * provider on another (unless `providerUp` is false: then the issuer's port has nobody on it).
 */
export async function startSignInApp(
  o: { clock?: Clock; env?: Record<string, string>; providerUp?: boolean } = {},
): Promise<SignInApp> {
  const port = await freePort();
  const providerPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const issuer = `http://127.0.0.1:${providerPort}`;
  const dir = await mkdtemp(join(tmpdir(), 'sca-sign-in-'));
  const contactsFile = join(dir, 'contacts.yaml');
  await writeFile(contactsFile, SIGN_IN_CONTACTS);
  let provider = o.providerUp === false ? undefined : await startProvider(base, providerPort);
  const server = await startTestServer({
    port,
    caseConsole: true,
    knowledgeConsole: true,
    env: { CONTACTS_FILE: contactsFile, ...o.env },
    access: (advisor) =>
      createWebAccess({
        clock: o.clock ?? { now: () => new Date() },
        logger: silentLogger(),
        contacts: () => advisor.cases?.contacts,
        oidc: {
          issuer,
          // The test provider's client, which startProvider registers.
          clientId: 'sister-city-advisor',
          clientSecret: 'a-test-client-secret-that-is-long-enough',
          publicUrl: base,
          sessionSecret: SESSION_SECRET,
        },
      }),
  });
  const app: SignInApp = {
    base,
    server,
    get provider() {
      return provider;
    },
    providerPort,
    async startProvider() {
      provider = await startProvider(base, providerPort);
      return provider;
    },
    async stopProvider() {
      await provider?.close();
      provider = undefined;
    },
    async api(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.cookie) headers.set('cookie', init.cookie);
      if (init.csrf) headers.set('x-csrf-token', init.csrf);
      const res = await fetch(`${base}${path}`, { ...init, headers, redirect: 'manual' });
      const text = await res.text();
      let body: any = text;
      try {
        body = JSON.parse(text);
      } catch {
        // HTML or empty.
      }
      return { status: res.status, body, headers: res.headers };
    },
    async close() {
      await server.close();
      await provider?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return app;
}
