import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as Client from 'openid-client';
import type { Logger } from 'pino';
import { z } from 'zod';
import { esc, isForm, readForm, redirect, sendPage } from '../html.js';
import { type Route, sendJson } from '../http.js';
import type { SignedInAccess } from './access.js';
import { readCookies, setCookie } from './cookies.js';
import type { Signer } from './signed.js';

/** What the provider needs to know about this app. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** PUBLIC_URL without a trailing slash. */
  publicUrl: string;
}

const LOGIN_SECONDS = 10 * 60;

let loaded: typeof Client | undefined;
/** openid-client, loaded the first time sign-in is used: a bot without sign-in never loads it. */
async function openIdClient(): Promise<typeof Client> {
  loaded ??= await import('openid-client');
  return loaded;
}
const LoginSchema = z.strictObject({
  state: z.string().min(16).max(200),
  nonce: z.string().min(16).max(200),
  verifier: z.string().min(43).max(128),
  returnTo: z.string().max(2000),
  exp: z.number().int(),
});

/** A path on this site to go back to after sign-in; anything else goes to the chat. */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || value.length > 2000) return '/';
  // One leading slash and no backslash: "//evil.example" or "/\evil" would leave the site.
  if (!/^\/(?![/\\])[^\\\s]*$/.test(value) || value.startsWith('/auth/')) return '/';
  return value;
}

/**
 * OpenID Connect sign-in: the authorisation code flow with PKCE, state and nonce. The login in
 * progress lives in a short-lived signed cookie; after the callback, the session cookie.
 */
export class OidcSignIn {
  private config: Promise<Client.Configuration> | undefined;
  private readonly loginCookie: string;

  constructor(
    private readonly settings: OidcSettings,
    private readonly access: SignedInAccess,
    private readonly signer: Signer,
    private readonly logger: Logger,
  ) {
    this.loginCookie = access.secure ? '__Host-sca_login' : 'sca_login';
  }

  /** The provider's metadata, fetched once (and again after a failure). */
  discover(): Promise<Client.Configuration> {
    if (!this.config) {
      const issuer = new URL(this.settings.issuer);
      const insecure = issuer.protocol === 'http:';
      this.config = openIdClient()
        .then((client) =>
          client.discovery(
            issuer,
            this.settings.clientId,
            undefined,
            client.ClientSecretPost(this.settings.clientSecret),
            // http is allowed by the settings only on this machine (the tests' provider).
            insecure ? { execute: [client.allowInsecureRequests] } : undefined,
          ),
        )
        .catch((err: unknown) => {
          this.config = undefined;
          throw err;
        });
    }
    return this.config;
  }

  private get redirectUri(): string {
    return `${this.settings.publicUrl}/auth/callback`;
  }

  /** The routes: /auth/login, /auth/callback, /auth/logout (POST) and /auth/signed-out. */
  routes(): Route[] {
    return [
      { method: 'GET', path: '/auth/login', handler: (q, s, u) => this.login(q, s, u) },
      { method: 'GET', path: '/auth/callback', handler: (q, s, u) => this.callback(q, s, u) },
      { method: 'POST', path: '/auth/logout', handler: (q, s) => this.logout(q, s) },
      { method: 'GET', path: '/auth/signed-out', handler: (_q, s) => this.signedOut(s) },
    ];
  }

  private async provider(res: ServerResponse): Promise<Client.Configuration | undefined> {
    try {
      return await this.discover();
    } catch (err) {
      this.logger.error(
        { err, issuer: this.settings.issuer },
        'the sign-in provider did not answer',
      );
      this.unavailable(res);
      return undefined;
    }
  }

  private async login(_req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const config = await this.provider(res);
    if (!config) return;
    const client = await openIdClient();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const target = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid profile email',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const returnTo = safeReturnTo(url.searchParams.get('returnTo'));
    const cookie = this.signer.sign('login', { state, nonce, verifier, returnTo }, LOGIN_SECONDS);
    redirect(res, target.href, {
      'set-cookie': setCookie(this.loginCookie, cookie, {
        maxAge: LOGIN_SECONDS,
        secure: this.access.secure,
      }),
    });
  }

  private async callback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const clear = setCookie(this.loginCookie, '', { maxAge: 0, secure: this.access.secure });
    const login = this.signer.verify('login', readCookies(req).get(this.loginCookie), LoginSchema);
    if (url.searchParams.has('error')) {
      const reason = url.searchParams.get('error_description') ?? url.searchParams.get('error');
      this.logger.info({ reason }, 'sign-in refused or cancelled at the provider');
      return this.problem(res, 400, 'Sign-in did not finish.', clear);
    }
    if (!login)
      return this.problem(
        res,
        400,
        'This sign-in link has expired or was opened in another browser.',
        clear,
      );
    const config = await this.provider(res);
    if (!config) return;
    const client = await openIdClient();
    const current = new URL(`${this.redirectUri}${url.search}`);
    let claims: Client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (err) {
      if (unreachable(err)) {
        this.logger.error(
          { err, issuer: this.settings.issuer },
          'the sign-in provider did not answer',
        );
        return this.unavailable(res, clear);
      }
      this.logger.warn({ err: (err as Error).message }, 'sign-in failed at the callback');
      return this.problem(res, 400, 'Sign-in could not be checked.', clear);
    }
    if (!claims) return this.problem(res, 400, 'Sign-in could not be checked.', clear);
    const identity = identityFrom(claims);
    this.logger.info({ sub: identity.sub }, 'signed in');
    redirect(res, login.returnTo, { 'set-cookie': [clear, this.access.startSession(identity)] });
  }

  private async logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const viewer = await this.access.viewer(req);
    if (viewer) this.access.checkCsrf(req, viewer, await formToken(req));
    let location = `${this.settings.publicUrl}/auth/signed-out`;
    const config = await this.discover().catch(() => undefined);
    if (config?.serverMetadata().end_session_endpoint) {
      const client = await openIdClient();
      location = client.buildEndSessionUrl(config, {
        post_logout_redirect_uri: location,
        client_id: this.settings.clientId,
      }).href;
    }
    const cookie = this.access.endSession(req);
    if (/json/.test(String(req.headers.accept ?? ''))) {
      res.setHeader('set-cookie', cookie);
      return sendJson(res, 200, { location });
    }
    redirect(res, location, { 'set-cookie': cookie });
  }

  private signedOut(res: ServerResponse): void {
    sendPage(res, {
      title: 'Signed out',
      body: `<h1>You're signed out</h1><p><a href="/auth/login">Sign in again</a></p>`,
      styles: ['/console/console.css'],
    });
  }

  private problem(res: ServerResponse, status: number, text: string, cookie?: string): void {
    sendPage(res, {
      status,
      title: 'Sign-in',
      body: `<h1>${esc(text)}</h1><p><a href="/auth/login">Try signing in again</a></p>`,
      styles: ['/console/console.css'],
      ...(cookie ? { headers: { 'set-cookie': cookie } } : {}),
    });
  }

  /**
   * The provider did not answer (at discovery or the token exchange). Nothing here needs a
   * restart: the next attempt asks the provider again. Retry-After tells tools when to.
   */
  private unavailable(res: ServerResponse, cookie?: string): void {
    sendPage(res, {
      status: 503,
      title: 'Sign-in is not available',
      body: `<h1>Sign-in is not available right now</h1>
<p>The sign-in service did not answer, so you cannot use Sister City Advisor on the web for the moment. Please try again in a few minutes.</p>
<p>If this keeps happening, tell whoever looks after Sister City Advisor. The bot in Slack or Teams, if your council uses it, is not affected.</p>
<p><a href="/auth/login">Try signing in again</a></p>`,
      styles: ['/console/console.css'],
      headers: { 'retry-after': '60', ...(cookie ? { 'set-cookie': cookie } : {}) },
    });
  }
}

/** The identity the app uses from an ID token: `oid` if present, else `sub`; name; email. */
export function identityFrom(claims: Client.IDToken): {
  sub: string;
  name?: string;
  email?: string;
} {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const sub = str(claims.oid) ?? claims.sub;
  const name = str(claims.name) ?? str(claims.preferred_username);
  // An address the provider says is not verified is not used to grant a role.
  const email = claims.email_verified === false ? undefined : str(claims.email);
  return { sub, ...(name ? { name } : {}), ...(email ? { email: email.toLowerCase() } : {}) };
}

/**
 * True when the provider could not be reached or failed on its side (a network error, a timeout,
 * an error status without an OAuth error body), as opposed to refusing what was sent.
 */
function unreachable(err: unknown): boolean {
  // openid-client passes fetch's own TypeError through; its argument errors carry a code.
  if (err instanceof TypeError) return !('code' in err);
  const code = (err as { code?: unknown })?.code;
  return (
    code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT' || code === 'OAUTH_RESPONSE_IS_NOT_CONFORM'
  );
}

/** The `csrf` field of a form body, if the request is a form. */
async function formToken(req: IncomingMessage): Promise<string | undefined> {
  if (!isForm(req)) return undefined;
  return (await readForm(req, 4096)).get('csrf') ?? undefined;
}
