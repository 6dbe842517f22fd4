import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { activities, CONTACT, startTeams, type TeamsHarness } from './harness.js';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const ISSUER = 'https://api.botframework.test';
const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** An RS256 JWT as the Bot Connector would send it. */
function token(
  claims: Record<string, unknown>,
  key: KeyObject = signing.privateKey,
  kid = 'test-key',
) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64url({ alg: 'RS256', typ: 'JWT', kid })}.${b64url({ iss: ISSUER, aud: APP_ID, nbf: now - 60, exp: now + 600, ...claims })}`;
  return `${body}.${sign('sha256', Buffer.from(body), key).toString('base64url')}`;
}

let openid: Server;
let base = '';
let h: TeamsHarness;
let a: ReturnType<typeof activities>;

beforeAll(async () => {
  // A loopback OpenID provider serving our own signing key, endorsed for Teams.
  openid = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/.well-known/openid-configuration')
      res.end(
        JSON.stringify({
          issuer: ISSUER,
          jwks_uri: `${base}/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
    else {
      const jwk = signing.publicKey.export({ format: 'jwk' });
      res.end(
        JSON.stringify({
          keys: [{ ...jwk, kid: 'test-key', use: 'sig', endorsements: ['msteams'] }],
        }),
      );
    }
  });
  await new Promise<void>((r) => openid.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(openid.address() as AddressInfo).port}`;
  // Set one of the eight and botbuilder expects all eight.
  h = await startTeams({
    settings: { appId: APP_ID, appPassword: 'not-a-real-secret' },
    authOverrides: {
      ToBotFromChannelOpenIdMetadataUrl: `${base}/.well-known/openid-configuration`,
      ToBotFromEmulatorOpenIdMetadataUrl: `${base}/.well-known/openid-configuration`,
      ToBotFromChannelTokenIssuer: ISSUER,
      ToChannelFromBotLoginUrl: `${base}/login`,
      ToChannelFromBotOAuthScope: 'https://api.botframework.test',
      OAuthUrl: `${base}/oauth`,
      CallerId: 'urn:botframework:test',
      ValidateAuthority: 'false',
    },
  });
  a = activities(h.stub.url);
  // botbuilder writes every refused token to console.error; the assertions say enough.
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await h.close();
  await new Promise<void>((r) => openid.close(() => r()));
});

describe('authentication', () => {
  const channel = '19:auth-test@thread.tacv2';
  // Adding the bot to a team saves a reference and sends nothing, so no outbound token is needed
  // (outbound tokens come from Microsoft Entra and cannot be faked offline).
  const activity = () => a.addToTeam(CONTACT, channel);
  const post = (t?: string) => h.post(activity(), t ? { authorization: `Bearer ${t}` } : {});

  it('refuses a missing or garbage token with 401 and a JSON error', async () => {
    expect(await post()).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'Missing Authorization header.' } },
    });
    const garbage = await post('not-a-jwt');
    expect(garbage.status).toBe(401);
    expect(garbage.body.error.code).toBe('unauthorized');
  });

  it('accepts a token signed by the (loopback) Bot Framework key', async () => {
    const res = await post(token({ serviceurl: h.stub.url }));
    expect(res.status).toBe(200);
    const saved = JSON.parse(await readFile(join(h.dataDir, 'teams-references.json'), 'utf8'));
    expect(saved.conversations[channel].serviceUrl).toBe(h.stub.url);
  });

  it('refuses a token for another bot, from another issuer, for another service URL, expired or forged', async () => {
    const bad = [
      token({ serviceurl: h.stub.url, aud: 'someone-elses-bot' }),
      token({ serviceurl: h.stub.url, iss: 'https://evil.example' }),
      token({ serviceurl: 'https://evil.example/' }),
      token({ serviceurl: h.stub.url, exp: Math.floor(Date.now() / 1000) - 3600 }),
      token({ serviceurl: h.stub.url }, stranger.privateKey),
    ];
    for (const t of bad) {
      const res = await post(t);
      expect(res.status, t.slice(-12)).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect(h.stub.calls).toEqual([]);
  });
});
