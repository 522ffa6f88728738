import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { AppError } from '@mcpfed/errors';
import Provider, { errors } from 'oidc-provider';
import type { ClientMetadata, Configuration, ResourceServer } from 'oidc-provider';
import type { DevIssuer } from '../dev-issuer.ts';
import { isScopeToken } from '../scope-token.ts';
import { handleInteraction } from './login-interaction.ts';
import { TOKEN_EXCHANGE_GRANT_TYPE, registerTokenExchangeGrant } from './token-exchange-grant.ts';

/**
 * A registered client. With a secret, a confidential service client: client credentials for its own calls, token
 * exchange for its callers'. Without one, a public client (a command-line tool on the developer's machine): the
 * authorization code grant with PKCE only, so it needs `redirectUris`.
 */
export interface DevProviderClient {
  /** `client_id`, also the `sub` of its own tokens and the `act.sub` of the tokens it exchanges (e.g. `order-server`). */
  readonly id: string;
  /** `client_secret` (at least 16 characters); omitted for a public client (`token_endpoint_auth_method: none`). */
  readonly secret?: string;
  /** Scopes it may ask for with client credentials. */
  readonly scopes: readonly string[];
  /**
   * Audiences of the caller tokens it may exchange (its own resource URLs, e.g. `http://127.0.0.1:8080/mcp` for the
   * router). Default none: the client cannot use token exchange.
   */
  readonly exchangeAudiences?: readonly string[];
  /**
   * Scopes it may add to the tokens it exchanges, beyond the caller's own (RFC 8693 leaves the policy to the
   * authorization server): what it needs downstream to do a caller's job, e.g. the order server's `product:write` to
   * reserve stock for a customer's order, while the customer's own token cannot touch the catalog. The caller stays the
   * principal (its binding, limits and audit apply). Default none; `customer:any` is refused (it would widen reach).
   */
  readonly actorScopes?: readonly string[];
  /**
   * Where the client receives authorization codes (e.g. `http://127.0.0.1:8082/approvals/callback` for a server's
   * approval page, where a person logs in). Default none: the client cannot use the authorization code grant.
   */
  readonly redirectUris?: readonly string[];
}

/** A person who can log in on the login page (development only). */
export interface DevProviderUser {
  /** Login name and `sub` of the user's tokens. */
  readonly subject: string;
  /** Password (development only: compared in constant time, never logged). */
  readonly password: string;
  /** Scopes the user may grant to a client; a client gets what it asks for within these. */
  readonly scopes: readonly string[];
  /** Extra claims written into the user's access tokens (e.g. `{ customer_id: '…' }`). */
  readonly claims?: Readonly<Record<string, string>>;
}

/** Options of {@link createDevProvider}. */
export interface DevProviderOptions {
  /** Signing key and issuer identifier (`iss`, may have a path, e.g. `http://127.0.0.1:8090/oidc`). */
  readonly issuer: DevIssuer;
  /**
   * Resource indicators (RFC 8707) tokens may be issued for: each server's `<PUBLIC_URL>/mcp`, or a predicate (tests
   * whose servers get their ports later).
   */
  readonly resources: readonly string[] | ((resource: string) => boolean);
  /** Scopes every resource accepts (the federation's scopes). */
  readonly scopes: readonly string[];
  /** Service clients. Default none. */
  readonly clients?: readonly DevProviderClient[];
  /** Users of the login page. Default none. */
  readonly users?: readonly DevProviderUser[];
  /** Claims carried from a subject token into an exchanged token. Default `['customer_id']`. */
  readonly carriedClaims?: readonly string[];
  /** Access token lifetime, in seconds. Default 900. */
  readonly accessTokenTtlSeconds?: number;
  /** Key of the provider's cookies (development value by default). */
  readonly cookieKey?: string;
}

/** A running-ready dev provider: an HTTP server (not yet listening) and the oidc-provider instance behind it. */
export interface DevProvider {
  readonly provider: Provider;
  readonly server: Server;
}

/**
 * The development authorization server, built on `oidc-provider` (OpenID Certified), so `npm start` and the tests
 * exercise the same standards a production provider speaks:
 * - discovery (`/.well-known/openid-configuration` under the issuer path) and JWKS (the {@link DevIssuer}'s key),
 * - client credentials for the service clients, with resource indicators (RFC 8707): `resource` is the audience,
 * - authorization code + PKCE (S256) with a login page (`/interaction/<uid>`) for the configured users, consent
 *   implied for the scopes a user holds (others are refused, not asked about),
 * - dynamic client registration (RFC 7591) of public clients (`token_endpoint_auth_method: none`), as MCP clients do,
 * - token exchange (RFC 8693) for delegation: see `registerTokenExchangeGrant`.
 * Access tokens for a resource are JWTs (`typ: at+jwt`, ES256) with `scope`, `client_id` and, for users, their claims.
 */
export function createDevProvider(options: DevProviderOptions): DevProvider {
  const issuerUrl = options.issuer.issuerUrl.replace(/\/+$/, '');
  const issuerPath = new URL(issuerUrl).pathname.replace(/\/+$/, '');
  const listed = typeof options.resources === 'function' ? undefined : new Set(options.resources);
  const accepts = typeof options.resources === 'function' ? options.resources : (resource: string) => listed?.has(resource) === true;
  const scope = [...new Set(options.scopes)].join(' ');
  if (!options.scopes.every(isScopeToken)) invalid('scopes must be scope tokens');
  const clients = options.clients ?? [];
  for (const client of clients) {
    if (client.secret === undefined) {
      if ((client.redirectUris ?? []).length === 0) invalid(`client ${client.id}: a public client (no secret) needs redirectUris`);
      if ((client.exchangeAudiences ?? []).length > 0) invalid(`client ${client.id}: a public client (no secret) cannot use token exchange`);
    } else if (client.secret.length < 16) invalid(`client ${client.id}: secret must have at least 16 characters`);
    if ((client.actorScopes ?? []).includes('customer:any')) invalid(`client ${client.id}: actorScopes must not include customer:any`);
  }
  const users = new Map((options.users ?? []).map((user) => [user.subject, user]));
  const exchange = new Map(clients.map((client) => [client.id, client.exchangeAudiences ?? []]));
  const actorScopes = new Map(clients.map((client) => [client.id, client.actorScopes ?? []]));
  const extraClaims = new WeakMap<object, Record<string, unknown>>();
  const ttl = options.accessTokenTtlSeconds ?? 900;

  const resourceServer = (resource: string): ResourceServer => {
    if (!accepts(resource)) throw new errors.InvalidTarget('unknown resource');
    return { scope, audience: resource, accessTokenTTL: ttl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
  };

  const configuration: Configuration = {
    clients: clients.map(clientMetadata),
    jwks: { keys: [options.issuer.privateJwk()] },
    scopes: ['openid', 'offline_access', ...new Set(options.scopes)],
    claims: { openid: ['sub'] },
    cookies: { keys: [options.cookieKey ?? 'mcpfed-dev-provider-cookie-key-not-secret'] },
    pkce: { required: () => true },
    ttl: { AccessToken: ttl, ClientCredentials: ttl, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, IdToken: 3600, RefreshToken: 86_400 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => (oneOf?.[0] as string | undefined) ?? (undefined as unknown as string),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => resourceServer(resource),
      },
    },
    interactions: { url: (_ctx, interaction) => `${issuerPath}/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => (users.has(sub) ? { accountId: sub, claims: () => ({ sub }) } : undefined),
    extraTokenClaims: (_ctx, token) => {
      const exchanged = extraClaims.get(token);
      if (exchanged !== undefined) return exchanged;
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const user = accountId === undefined ? undefined : users.get(accountId);
      return user?.claims === undefined ? undefined : { ...user.claims };
    },
    enabledJWA: { authorizationSigningAlgValues: ['ES256'], idTokenSigningAlgValues: ['ES256'] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
  };

  const provider = new Provider(issuerUrl, configuration);
  provider.proxy = false;
  registerTokenExchangeGrant(provider, {
    jwks: options.issuer.publicJwks(),
    resourceServer,
    exchangeableAudiences: (clientId) => exchange.get(clientId) ?? [],
    actorScopes: (clientId) => actorScopes.get(clientId) ?? [],
    carriedClaims: options.carriedClaims ?? ['customer_id'],
    setExtraClaims: (token, claims) => extraClaims.set(token, claims),
  });

  const callback = provider.callback();
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0] ?? '/';
    if (issuerPath !== '' && path !== issuerPath && !path.startsWith(`${issuerPath}/`)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    const inner = path.slice(issuerPath.length) || '/';
    if (inner.startsWith('/interaction/')) {
      void handleInteraction(provider, users, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end('this login link is no longer valid; start again from your client');
      });
      return;
    }
    // oidc-provider is mounted at the issuer's path: it sees the rest, and builds its URLs from originalUrl.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = url.slice(issuerPath.length) || '/';
    callback(req, res);
  });
  return { provider, server };
}

/** The oidc-provider metadata of a configured client: confidential (a service) or public (a local tool). */
function clientMetadata(client: DevProviderClient): ClientMetadata {
  const redirectUris = [...(client.redirectUris ?? [])];
  if (client.secret === undefined) {
    return {
      client_id: client.id,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: redirectUris,
      token_endpoint_auth_method: 'none',
      scope: client.scopes.join(' '),
    };
  }
  return {
    client_id: client.id,
    client_secret: client.secret,
    grant_types: [
      'client_credentials',
      ...((client.exchangeAudiences ?? []).length > 0 ? [TOKEN_EXCHANGE_GRANT_TYPE] : []),
      ...(redirectUris.length > 0 ? ['authorization_code'] : []),
    ],
    response_types: redirectUris.length > 0 ? ['code'] : [],
    redirect_uris: redirectUris,
    token_endpoint_auth_method: 'client_secret_basic',
    scope: client.scopes.join(' '),
  };
}

function invalid(message: string): never {
  throw new AppError('VALIDATION_FAILED', `createDevProvider: ${message}`);
}
