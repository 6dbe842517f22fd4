/**
 * The web surface's access: OpenID Connect sign-in when OIDC_ISSUER is set, local mode (the
 * page says who it is, loopback only) otherwise. Both implement `WebAccess` (../access.ts).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../src/clock.js';
import type { Contacts } from '../../../src/escalation/contacts.js';
import type { WebAccess } from '../access.js';
import type { Route } from '../http.js';
import { LocalAccess, SignedInAccess } from './access.js';
import { type OidcSettings, OidcSignIn } from './oidc.js';
import { Signer } from './signed.js';

export { LOCAL_USER_COOKIE, LocalAccess, SessionSchema, SignedInAccess } from './access.js';
export { LOCAL_CURATOR_ID } from './people.js';
export { Signer } from './signed.js';

/** What the web surface's access is built from. */
export interface AccessOptions {
  clock: Clock;
  logger: Logger;
  /** The contacts file (security contacts and curators), when escalation is on. */
  contacts: () => Contacts | undefined;
  /** Sign-in settings; absent for local mode. */
  oidc?: OidcSettings & { sessionSecret: string; sessionSeconds?: number };
}

/** The access rules and the routes they need (/auth/* when sign-in is on). */
export interface WebAccessSetup {
  access: WebAccess;
  routes: Route[];
  /** Fetches the provider's metadata early, so a wrong issuer is logged at start-up. */
  warm(): Promise<void>;
}

/** Builds the access for the settings given. */
export function createWebAccess(o: AccessOptions): WebAccessSetup {
  if (!o.oidc) return { access: new LocalAccess(o.contacts), routes: [], warm: async () => {} };
  const signer = new Signer(o.oidc.sessionSecret, o.clock);
  const access = new SignedInAccess({
    signer,
    clock: o.clock,
    publicUrl: o.oidc.publicUrl,
    contacts: o.contacts,
    issuer: o.oidc.issuer,
    ...(o.oidc.sessionSeconds ? { sessionSeconds: o.oidc.sessionSeconds } : {}),
  });
  const signIn = new OidcSignIn(o.oidc, access, signer, o.logger);
  return {
    access,
    routes: signIn.routes(),
    warm: async () => {
      try {
        await signIn.discover();
      } catch (err) {
        o.logger.warn(
          { issuer: o.oidc?.issuer, err: (err as Error).message },
          'could not read the sign-in provider’s settings yet; will try again at the first sign-in',
        );
      }
    },
  };
}
