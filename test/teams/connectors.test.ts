import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReusedConnectorsAuthentication } from '../../adapters/teams/connectors.js';

type ClaimsIdentity = Parameters<ReusedConnectorsAuthentication['createConnectorFactory']>[0];

/** A claims identity as botbuilder reads one: its claims and a lookup by type. */
function identity(claims: { type: string; value: string }[]): ClaimsIdentity {
  return {
    claims,
    isAuthenticated: claims.length > 0,
    getClaimValue: (type: string) => claims.find((c) => c.type === type)?.value ?? null,
  } as unknown as ClaimsIdentity;
}

const BOT = identity([{ type: 'aud', value: 'bot-app-id' }]);
const OTHER = identity([{ type: 'aud', value: 'another-app-id' }]);
const AUDIENCE = 'https://api.botframework.com';

describe('connector clients reused across turns', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the same client for the same service URL, audience and identity, and a new one otherwise', async () => {
    const auth = new ReusedConnectorsAuthentication({});
    const a = await auth.createConnectorFactory(BOT).create('http://127.0.0.1:9/a/', AUDIENCE);
    // A later turn builds a new factory, as CloudAdapter does, and still gets the same client.
    const again = await auth.createConnectorFactory(BOT).create('http://127.0.0.1:9/a/', AUDIENCE);
    expect(again).toBe(a);
    const otherUrl = await auth
      .createConnectorFactory(BOT)
      .create('http://127.0.0.1:9/b/', AUDIENCE);
    const otherBot = await auth
      .createConnectorFactory(OTHER)
      .create('http://127.0.0.1:9/a/', AUDIENCE);
    expect(otherUrl).not.toBe(a);
    expect(otherBot).not.toBe(a);
    expect(auth.held).toBe(3);
  });

  it('reuses the user-token client per identity, which CloudAdapter also builds every turn', async () => {
    const auth = new ReusedConnectorsAuthentication({});
    const first = await auth.createUserTokenClient(BOT);
    expect(await auth.createUserTokenClient(BOT)).toBe(first);
    expect(await auth.createUserTokenClient(OTHER)).not.toBe(first);
    expect(auth.heldTokenClients).toBe(2);
  });

  it('holds a bounded number, dropping the least recently used first', async () => {
    const auth = new ReusedConnectorsAuthentication({});
    const first = await auth.createConnectorFactory(BOT).create('http://127.0.0.1:9/0/', AUDIENCE);
    for (let i = 1; i < 40; i++) {
      await auth.createConnectorFactory(BOT).create(`http://127.0.0.1:9/${i}/`, AUDIENCE);
      // Kept in use, the first client is never the oldest.
      await auth.createConnectorFactory(BOT).create('http://127.0.0.1:9/0/', AUDIENCE);
    }
    expect(auth.held).toBe(32);
    expect(await auth.createConnectorFactory(BOT).create('http://127.0.0.1:9/0/', AUDIENCE)).toBe(
      first,
    );
    const oldest = await auth.createConnectorFactory(BOT).create('http://127.0.0.1:9/1/', AUDIENCE);
    expect(auth.held).toBe(32);
    expect(oldest).toBeDefined();
  });

  it('does not keep a client that failed to build, so the next turn tries again', async () => {
    const auth = new ReusedConnectorsAuthentication({});
    const build = vi
      .spyOn(ConfigurationBotFrameworkAuthentication.prototype, 'createConnectorFactory')
      .mockReturnValueOnce({
        create: () => Promise.reject(new Error('login endpoint unreachable')),
      } as unknown as ReturnType<
        ConfigurationBotFrameworkAuthentication['createConnectorFactory']
      >);
    await expect(
      auth.createConnectorFactory(BOT).create('http://127.0.0.1:9/a/', AUDIENCE),
    ).rejects.toThrow('login endpoint unreachable');
    expect(auth.held).toBe(0);
    build.mockRestore();
    await expect(
      auth.createConnectorFactory(BOT).create('http://127.0.0.1:9/a/', AUDIENCE),
    ).resolves.toBeDefined();
    expect(auth.held).toBe(1);
  });
});
