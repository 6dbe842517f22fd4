/**
 * A real OpenID provider for the tests: oidc-provider on a loopback port, with one client and
 * its development login and consent pages (any password; the login names a test person).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** People the test provider knows, by the login typed on its page. */
export const PEOPLE: Record<string, { name: string; email: string; oid?: string }> = {
  sam: { name: 'Sam Security', email: 'Sam.Security@Council.govt.nz' },
  aroha: { name: 'Aroha Staff', email: 'aroha@council.govt.nz', oid: 'oid-aroha-0001' },
  casey: { name: 'Casey Curator', email: 'casey@council.govt.nz' },
};

/** The running provider. */
export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/** Starts the provider for an app at `publicUrl`, on `port` if given (to bring it back up). */
export async function startProvider(publicUrl: string, port = 0): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'sister-city-advisor';
  const clientSecret = 'a-test-client-secret-that-is-long-enough';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${publicUrl}/auth/callback`],
        post_logout_redirect_uris: [`${publicUrl}/auth/signed-out`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub', 'oid'], email: ['email', 'email_verified'], profile: ['name'] },
    // The app reads the ID token only, so its claims go there.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => {
        const p = PEOPLE[id];
        return {
          sub: id,
          ...(p ? { name: p.name, email: p.email, email_verified: true } : {}),
          ...(p?.oid ? { oid: p.oid } : {}),
        };
      },
    }),
    cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
