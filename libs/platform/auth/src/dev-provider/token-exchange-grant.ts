import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTPayload } from 'jose';
import { errors } from 'oidc-provider';
import type { Provider, ResourceServer, TokenEndpointGrantContext } from 'oidc-provider';

/** RFC 8693 §2.1: the grant type of a token exchange request. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3: the token type of an OAuth access token. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** What the token exchange grant needs from the dev provider. */
export interface TokenExchangeGrantConfig {
  /** The provider's public signing keys: a subject token must be signed by this issuer. */
  readonly jwks: JSONWebKeySet;
  /** Resource server details of an accepted `resource` (throws `InvalidTarget` for any other). */
  readonly resourceServer: (resource: string) => ResourceServer;
  /** Audiences of subject tokens each client may exchange: a service exchanges only tokens presented to it. */
  readonly exchangeableAudiences: (clientId: string) => readonly string[];
  /**
   * Scopes each client may add to a token it exchanges, beyond the subject token's: what the service needs to do the
   * caller's job downstream (the order server reserving stock for a customer's order). Never `customer:any`.
   */
  readonly actorScopes: (clientId: string) => readonly string[];
  /** Claims of the subject token carried into the new token unchanged (e.g. the customer claim). */
  readonly carriedClaims: readonly string[];
  /** Hands the claims to add to the token being issued to `extraTokenClaims` (oidc-provider sets them there). */
  readonly setExtraClaims: (token: object, claims: Record<string, unknown>) => void;
}

/**
 * Registers the OAuth 2.0 Token Exchange grant (RFC 8693) for delegation: a service presents the access token its
 * caller sent it (`subject_token`) and the one `resource` it wants to call, and gets a JWT access token whose
 * - `sub` is the subject token's `sub` (the caller stays the principal: its scopes, limits and audit apply),
 * - `aud` is the requested resource (never the audience of the subject token: no token passthrough),
 * - `scope` is the requested `scope`, or the subject token's plus the client's actor scopes, never wider than those
 *   two together (nor than what the resource accepts); an empty result is `invalid_scope`,
 * - `act` is `{ sub: <client id> }`, with the subject token's own `act` nested inside (RFC 8693 §4.1), so a chain
 *   router -> order -> payment reads `act: { sub: 'order-server', act: { sub: 'router' } }`,
 * - the {@link TokenExchangeGrantConfig.carriedClaims} of the subject token, unchanged.
 * Only `subject_token_type` access_token is accepted; actor tokens are not (the authenticated client is the actor).
 * The subject token must be signed by this issuer, unexpired, and addressed to an audience the client may exchange.
 */
export function registerTokenExchangeGrant(provider: Provider, config: TokenExchangeGrantConfig): void {
  const keys = createLocalJWKSet(config.jwks);
  const parameters = ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'resource', 'audience', 'scope'];
  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT_TYPE,
    async (ctx: TokenEndpointGrantContext) => {
      const params = ctx.oidc.params as Record<string, string | string[] | undefined>;
      const client = ctx.oidc.client;
      const subjectToken = single(params, 'subject_token');
      if (subjectToken === undefined) throw new errors.InvalidRequest('missing required parameter subject_token');
      if (single(params, 'subject_token_type') !== ACCESS_TOKEN_TYPE) {
        throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
      }
      if (params['actor_token'] !== undefined) throw new errors.InvalidRequest('actor_token is not supported: the authenticated client is the actor');
      const requestedType = single(params, 'requested_token_type');
      if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE)
        throw new errors.InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
      if (params['audience'] !== undefined) throw new errors.InvalidTarget('use resource (RFC 8707) to name the target');
      const resource = single(params, 'resource');
      if (resource === undefined) throw new errors.InvalidTarget('resource is required: name the one server the new token is for');

      let subject: JWTPayload;
      try {
        ({ payload: subject } = await jwtVerify(subjectToken, keys, {
          issuer: provider.issuer,
          audience: [...config.exchangeableAudiences(client.clientId)],
          typ: 'at+jwt',
          requiredClaims: ['sub', 'exp'],
        }));
      } catch {
        throw new errors.InvalidGrant('subject_token is invalid, expired, or not addressed to this client');
      }

      const resourceServer = new provider.ResourceServer(resource, config.resourceServer(resource));
      const held = new Set(typeof subject['scope'] === 'string' ? subject['scope'].split(' ').filter(Boolean) : []);
      // The actor's own part: what it may do for any caller it acts for; the caller's binding still bounds where.
      const allowed = new Set([...held, ...config.actorScopes(client.clientId)]);
      const requested = single(params, 'scope')?.split(' ').filter(Boolean) ?? [...allowed];
      const beyond = requested.filter((scope) => !allowed.has(scope));
      if (beyond.length > 0)
        throw new errors.InvalidScope(`scope wider than the subject token's and the client's actor scopes: ${beyond.join(' ')}`, beyond.join(' '));
      const scopes = requested.filter((scope) => resourceServer.scopes.has(scope));
      if (scopes.length === 0)
        throw new errors.InvalidScope('no requested scope is held by the subject token and accepted by the resource', requested.join(' '));

      const act: Record<string, unknown> = { sub: client.clientId };
      if (typeof subject['act'] === 'object' && subject['act'] !== null) act['act'] = subject['act'];
      const extra: Record<string, unknown> = { act };
      for (const claim of config.carriedClaims) if (subject[claim] !== undefined) extra[claim] = subject[claim];

      // No grant backs an exchanged token: it is bound to the subject token's lifetime instead (below).
      const token = new provider.AccessToken({
        accountId: subject.sub as string,
        client,
        scope: scopes.join(' '),
        gty: TOKEN_EXCHANGE_GRANT_TYPE,
      } as ConstructorParameters<typeof provider.AccessToken>[0]);
      token.resourceServer = resourceServer;
      config.setExtraClaims(token, extra);
      // The new token never outlives the one it was exchanged for.
      const remaining = (subject.exp as number) - Math.floor(Date.now() / 1000);
      if (token.expiration > remaining) (token as unknown as { expiresIn: number }).expiresIn = Math.max(1, remaining);
      ctx.oidc.entity('AccessToken', token);
      const value = await token.save();
      ctx.body = {
        access_token: value,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: 'Bearer',
        expires_in: token.expiration,
        scope: token.scope,
      };
    },
    parameters,
  );
}

function single(params: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = params[name];
  if (Array.isArray(value)) throw new errors.InvalidRequest(`${name} must be given once`);
  return value === undefined || value === '' ? undefined : value;
}
