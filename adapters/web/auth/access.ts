import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Clock } from '../../../src/clock.js';
import type { Contacts } from '../../../src/escalation/contacts.js';
import type { Viewer, WebAccess, WebRole } from '../access.js';
import { esc, redirect, sendPage } from '../html.js';
import { HttpError, sendError } from '../http.js';
import { readCookies, setCookie } from './cookies.js';
import { checkSameOrigin } from './origin.js';
import { type Resolved, resolveLocal, resolveSignedIn } from './people.js';
import type { Signer } from './signed.js';

const ID = /^[A-Za-z0-9._@:-]{1,128}$/;
/** The cookie the local page sets when its role picker changes (local mode only). */
export const LOCAL_USER_COOKIE = 'sca_local_user';
/** How long a session lasts after sign-in. */
export const SESSION_SECONDS = 8 * 3600;

const ROLE_TEXT: Record<WebRole, string> = {
  contact: 'security contacts',
  curator: 'knowledge curators',
};

/** What the session cookie holds: small, and signed with its expiry. */
export const SessionSchema = z.strictObject({
  /** The ID token's `oid` (Entra ID) or else `sub`. */
  sub: z.string().min(1).max(255),
  name: z.string().max(200).optional(),
  email: z.string().max(254).optional(),
  roles: z.array(z.enum(['contact', 'curator'])).max(2),
  /** The per-session CSRF token. */
  csrf: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/),
  exp: z.number().int(),
});
export type Session = z.infer<typeof SessionSchema>;

/** Rules both modes share: who may see a page, and what a refusal looks like. */
abstract class BaseAccess implements WebAccess {
  abstract readonly signInRequired: boolean;
  abstract readonly loginPath: string;
  /** Tokens for viewers this process has handed out, so `checkCsrf` can compare. */
  protected readonly tokens = new WeakMap<Viewer, string>();

  abstract viewer(req: IncomingMessage): Promise<Viewer | undefined>;
  protected abstract origin(req: IncomingMessage): string;

  csrfToken(viewer: Viewer): string {
    const token = this.tokens.get(viewer);
    if (!token) throw new Error('csrfToken: this viewer did not come from viewer()');
    return token;
  }

  /** Checks the request's origin, then the token (`x-csrf-token`, or `supplied` from a form body). */
  checkCsrf(req: IncomingMessage, viewer: Viewer, supplied?: string): void {
    checkSameOrigin(req, this.origin(req));
    const header = req.headers['x-csrf-token'];
    const given = Buffer.from(supplied ?? (typeof header === 'string' ? header : ''));
    const expected = Buffer.from(this.tokens.get(viewer) ?? '');
    if (!expected.length || given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new HttpError(
        403,
        'csrf',
        'This request was refused because its security token is missing or out of date. Reload the page and try again.',
      );
  }

  /** Refuses a cross-site request without asking for a token (local mode's chat API). */
  checkOrigin(req: IncomingMessage): void {
    checkSameOrigin(req, this.origin(req));
  }

  protected makeViewer(r: Resolved, token: string, extra: Partial<Viewer>): Viewer {
    const viewer: Viewer = {
      id: r.id,
      ...(r.name ? { name: r.name } : {}),
      roles: r.roles,
      signedIn: this.signInRequired,
      ...extra,
    };
    this.tokens.set(viewer, token);
    return viewer;
  }

  async require(
    req: IncomingMessage,
    res: ServerResponse,
    role: WebRole | 'any',
    kind: 'page' | 'api',
  ): Promise<Viewer | undefined> {
    const viewer = await this.viewer(req);
    if (viewer && (role === 'any' || viewer.roles.has(role))) return viewer;
    if (!viewer && this.signInRequired) {
      if (kind === 'api') sendError(res, new HttpError(401, 'sign_in', 'Please sign in first.'));
      else redirect(res, `${this.loginPath}?returnTo=${encodeURIComponent(req.url ?? '/')}`);
      return undefined;
    }
    const what = role === 'any' ? 'people who are signed in' : ROLE_TEXT[role];
    if (kind === 'api') {
      sendError(res, new HttpError(403, 'forbidden', `This is for ${what} only.`));
      return undefined;
    }
    const local = this.signInRequired
      ? ''
      : `<p>On this computer without sign-in, choose the right role in the chat page's “Your role” list first.</p>`;
    sendPage(res, {
      status: 403,
      title: 'Not available',
      body: `<h1>This page is for ${esc(what)}</h1>
<p>You${viewer?.name ? ` (${esc(viewer.name)})` : ''} don't have access to it. If you think you should, talk to your council's security lead.</p>
${local}
<p><a href="/">Back to the chat</a></p>`,
      styles: ['/console/console.css'],
    });
    return undefined;
  }
}

/**
 * Local mode, with no sign-in: the page says who it is (the role picker), as it always has.
 * Loopback only unless ALLOW_UNAUTHENTICATED_WEB=true. Forms still carry a CSRF token, derived
 * from a secret made when the process starts, so another site cannot post to a console.
 */
export class LocalAccess extends BaseAccess {
  readonly signInRequired = false;
  readonly loginPath = '/';
  private readonly secret = randomBytes(32);

  constructor(private readonly contacts: () => Contacts | undefined) {
    super();
  }

  protected origin(req: IncomingMessage): string {
    return `http://${req.headers.host ?? 'localhost'}`;
  }

  async viewer(req: IncomingMessage): Promise<Viewer | undefined> {
    const fromQuery = new URL(req.url ?? '/', 'http://x').searchParams.get('userId');
    const fromCookie = readCookies(req).get(LOCAL_USER_COOKIE);
    const id = [fromQuery, fromCookie].find((v): v is string => !!v && ID.test(v));
    if (!id) return undefined;
    const token = createHmac('sha256', this.secret).update(`csrf\n${id}`).digest('base64url');
    return this.makeViewer(resolveLocal(this.contacts(), id), token, {});
  }
}

/** Sign-in on: the viewer comes from the signed session cookie, never from the page. */
export class SignedInAccess extends BaseAccess {
  readonly signInRequired = true;
  readonly loginPath = '/auth/login';
  readonly formOrigins: readonly string[];
  /** Sessions signed out before they expired: their CSRF token (unique to each) and expiry. */
  private readonly signedOut = new Map<string, number>();
  /** `__Host-` ties the cookie to this host and path over https; plain http (tests) cannot use it. */
  readonly cookieName: string;
  private readonly publicOrigin: string;

  constructor(
    private readonly o: {
      signer: Signer;
      clock: Clock;
      publicUrl: string;
      contacts: () => Contacts | undefined;
      sessionSeconds?: number;
      /** The provider's origin, where sign-out continues. */
      issuer?: string;
    },
  ) {
    super();
    this.formOrigins = o.issuer ? [new URL(o.issuer).origin] : [];
    this.publicOrigin = new URL(o.publicUrl).origin;
    this.cookieName = this.secure ? '__Host-sca_session' : 'sca_session';
  }

  /** True when PUBLIC_URL is https, so cookies are Secure. */
  get secure(): boolean {
    return this.o.publicUrl.startsWith('https:');
  }

  protected origin(): string {
    return this.publicOrigin;
  }

  /** The session a request carries, if it is valid, unexpired and not signed out. */
  private session(req: IncomingMessage): Session | undefined {
    const s = this.o.signer.verify('session', readCookies(req).get(this.cookieName), SessionSchema);
    return s && !this.signedOut.has(s.csrf) ? s : undefined;
  }

  async viewer(req: IncomingMessage): Promise<Viewer | undefined> {
    const s = this.session(req);
    if (!s) return undefined;
    // Roles are worked out again from the contacts file on each request, so a change to it
    // takes effect at once; the id follows the same rule it did at sign-in.
    const resolved = resolveSignedIn(this.o.contacts(), s);
    return this.makeViewer(resolved, s.csrf, {
      ...(s.email ? { email: s.email } : {}),
      signedIn: true,
    });
  }

  /** A Set-Cookie header that starts a session for these claims. */
  startSession(claims: { sub: string; name?: string; email?: string }): string {
    const roles = [...resolveSignedIn(this.o.contacts(), claims).roles];
    const session: Omit<Session, 'exp'> = {
      sub: claims.sub,
      ...(claims.name ? { name: claims.name.slice(0, 200) } : {}),
      ...(claims.email ? { email: claims.email } : {}),
      roles,
      csrf: randomBytes(24).toString('base64url'),
    };
    const seconds = this.o.sessionSeconds ?? SESSION_SECONDS;
    return setCookie(this.cookieName, this.o.signer.sign('session', session, seconds), {
      maxAge: seconds,
      secure: this.secure,
    });
  }

  /**
   * A Set-Cookie header that ends the session. The session's token is also remembered until
   * it would have expired, so a copy of the cookie kept elsewhere stops working too (until a
   * restart: sessions are kept nowhere but in the cookie).
   */
  endSession(req?: IncomingMessage): string {
    const s = req && this.session(req);
    if (s) {
      const now = this.o.clock.now().getTime() / 1000;
      for (const [token, exp] of this.signedOut) if (exp < now) this.signedOut.delete(token);
      this.signedOut.set(s.csrf, s.exp);
    }
    return setCookie(this.cookieName, '', { maxAge: 0, secure: this.secure });
  }
}
