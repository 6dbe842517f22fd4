import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';

type ClaimsIdentity = Parameters<
  ConfigurationBotFrameworkAuthentication['createConnectorFactory']
>[0];
type ConnectorFactory = ReturnType<
  ConfigurationBotFrameworkAuthentication['createConnectorFactory']
>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;
type UserTokenClient = Awaited<
  ReturnType<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>
>;

/** Connector clients kept at most: one per service URL, audience and bot identity in practice. */
const MAX_CLIENTS = 32;

/** The claims that decide which credentials a connector client is built with. */
const IDENTITY_CLAIMS = new Set(['aud', 'appid', 'azp', 'ver', 'iss']);

/**
 * botbuilder's authentication, with one difference: the connector client that sends a turn's
 * replies is built once per service URL, audience and calling identity and then reused, and so is
 * the user-token client (for sign-in prompts, which this bot never shows), where CloudAdapter
 * builds both anew (each a new HTTP pipeline of policies) for every turn: in a profile of the Teams
 * benchmark they were the largest cost botbuilder adds to a turn. Tokens are unaffected:
 * botbuilder caches them process-wide by app id and scope either way. Failed builds are not kept,
 * and the least recently used client goes when more than MAX_CLIENTS are held (service URLs come
 * from activities, so an unauthenticated test endpoint must not grow this without bound).
 */
export class ReusedConnectorsAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly clients = new Map<string, Promise<ConnectorClient>>();
  private readonly tokenClients = new Map<string, Promise<UserTokenClient>>();

  override async authenticateRequest(
    ...args: Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>
  ): ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']> {
    const result = await super.authenticateRequest(...args);
    const factory = result.connectorFactory;
    return factory
      ? { ...result, connectorFactory: this.reusing(result.claimsIdentity, factory) }
      : result;
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusing(claimsIdentity, super.createConnectorFactory(claimsIdentity));
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return held(this.tokenClients, who(claimsIdentity), () =>
      super.createUserTokenClient(claimsIdentity),
    );
  }

  /** How many connector clients are held (for tests). */
  get held(): number {
    return this.clients.size;
  }

  /** How many user-token clients are held (for tests). */
  get heldTokenClients(): number {
    return this.tokenClients.size;
  }

  private reusing(identity: ClaimsIdentity, inner: ConnectorFactory): ConnectorFactory {
    const caller = who(identity);
    return {
      create: (serviceUrl: string, audience?: string): Promise<ConnectorClient> =>
        held(this.clients, `${caller}\n${serviceUrl}\n${audience ?? ''}`, () =>
          inner.create(serviceUrl, audience),
        ),
    } as ConnectorFactory;
  }
}

/** The identity claims of a caller, as one key. */
function who(identity: ClaimsIdentity): string {
  return identity.claims
    .filter((c) => IDENTITY_CLAIMS.has(c.type))
    .map((c) => `${c.type}=${c.value}`)
    .sort()
    .join('&');
}

/**
 * The client held under `key`, or a new one from `make`, kept unless it fails; the least recently
 * used goes when more than MAX_CLIENTS are held.
 */
function held<T>(
  clients: Map<string, Promise<T>>,
  key: string,
  make: () => Promise<T>,
): Promise<T> {
  const kept = clients.get(key);
  if (kept) {
    // Most recently used last, so the oldest is the first to go.
    clients.delete(key);
    clients.set(key, kept);
    return kept;
  }
  const made = make();
  clients.set(key, made);
  made.catch(() => {
    if (clients.get(key) === made) clients.delete(key);
  });
  while (clients.size > MAX_CLIENTS) {
    const oldest = clients.keys().next().value;
    if (oldest === undefined) break;
    clients.delete(oldest);
  }
  return made;
}
