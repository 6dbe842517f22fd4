import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Who is on the other end of a web request, and what they may do. With sign-in on this comes
 * from the session cookie (set after OpenID Connect sign-in); in local mode (no OIDC, loopback
 * only unless ALLOW_UNAUTHENTICATED_WEB=true) it comes from what the page says.
 */
export type WebRole = 'contact' | 'curator';

export interface Viewer {
  /** The id the core sees: the ID token's `oid` or `sub` when signed in, the chosen id locally. */
  id: string;
  name?: string;
  email?: string;
  roles: ReadonlySet<WebRole>;
  /** True when the identity comes from a signed-in session rather than local mode. */
  signedIn: boolean;
}

/**
 * The web surface's access rules. Console and chat routes ask it who the viewer is; every
 * state-changing request must pass `checkCsrf` first.
 */
export interface WebAccess {
  /** Whether sign-in is on (OIDC configured). */
  readonly signInRequired: boolean;
  /**
   * The viewer of a request, or undefined if nobody is signed in. When sign-in is required and
   * there is no valid session, a page route should redirect to `loginPath`; an API route answers 401.
   */
  viewer(req: IncomingMessage): Promise<Viewer | undefined>;
  /**
   * Throws HttpError(403) unless the request comes from this site and carries this viewer's
   * CSRF token: in the `x-csrf-token` header, or `supplied` (a form body's field).
   */
  checkCsrf(req: IncomingMessage, viewer: Viewer, supplied?: string): void;
  /** The CSRF token a page embeds for this viewer. */
  csrfToken(viewer: Viewer): string;
  /**
   * Origins besides this site that a page's forms may lead to (the provider's sign-out page,
   * reached by a redirect from POST /auth/logout), for the pages' form-action policy.
   */
  readonly formOrigins?: readonly string[];
  /** Where a page sends someone who is not signed in. */
  readonly loginPath: string;
  /** Answers 401/403 (API) or a redirect (page) and returns undefined unless the viewer holds `role`. */
  require(
    req: IncomingMessage,
    res: ServerResponse,
    role: WebRole | 'any',
    kind: 'page' | 'api',
  ): Promise<Viewer | undefined>;
}
