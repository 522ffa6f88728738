import {
  ClientSecretBasic,
  ClientSecretPost,
  Configuration,
  ResponseBodyError,
  WWWAuthenticateChallengeError,
  allowInsecureRequests,
  clientCredentialsGrant,
  genericGrantRequest,
} from 'openid-client';
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { AppError, optionSchemas, parseOptions } from '@mcpfed/errors';
import { cancellationError, isNetworkError, raceAbort } from '@mcpfed/resilience';
import { isScopeToken } from './scope-token.ts';
import type { ServiceTokenRequest, ServiceTokenSource } from './service-token-source.ts';

/** RFC 8693 §2.1 grant type and §3 token type of an access token. */
const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** Settings of {@link createClientCredentialsTokenSource} (static configuration). */
export interface ClientCredentialsTokenSourceConfig {
  /** The issuer's token endpoint (`AUTH_TOKEN_URL`, else discovered by `discoverIssuer`). */
  tokenUrl: string;
  /** The issuer identifier (`AUTH_ISSUER`). Default: the token endpoint's origin. */
  issuer?: string;
  /** This service's `client_id` (`SERVICE_CLIENT_ID`, default the app name). */
  clientId: string;
  /** Its `client_secret` (`SERVICE_CLIENT_SECRET`). Sent only to `tokenUrl`, never logged. */
  clientSecret: string;
  /** Scopes asked for, sent space-separated as `scope`; must be a subset of the client's allowed scopes. Non-empty. */
  scopes: readonly string[];
  /**
   * How the secret is sent: HTTP Basic (RFC 6749 §2.3.1, every server must support it) or form fields.
   * Default `client_secret_basic`.
   */
  authMethod?: 'client_secret_basic' | 'client_secret_post';
  /**
   * A cached token is replaced this long before it expires, in seconds, so a token never expires in flight.
   * Capped at half the token's lifetime. Default 60.
   */
  refreshBeforeExpirySeconds?: number;
  /** Tokens kept (one per audience, and per caller token for exchanged ones); the least recently used is dropped first. Default 1000. */
  maxCachedTokens?: number;
  /** Timeout of one token request, in milliseconds. Default 5000. */
  timeoutMs?: number;
}

interface CachedToken {
  readonly token: string;
  /** Epoch milliseconds after which the token is no longer handed out. */
  readonly refreshAt: number;
}

/** Assumed lifetime when the token response has no `expires_in`, in seconds. */
const DEFAULT_EXPIRES_IN_SECONDS = 300;

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) for the service's own tokens, and token exchange (RFC 8693) for tokens
 * that act for a caller, with `openid-client` against the issuer's token endpoint; standard parameters only. One token
 * is cached per (audience, caller token) until `refreshBeforeExpirySeconds` before its expiry; concurrent requests
 * for the same token share one fetch. Failures are AppErrors: `UPSTREAM_UNAVAILABLE` (retryable) when the
 * endpoint cannot be reached, times out or answers 5xx; `INTERNAL` when it refuses the client or the scopes
 * (a misconfiguration: logged by the runtime, never shown to the end user in detail).
 * @throws AppError VALIDATION_FAILED for an invalid configuration.
 */
export function createClientCredentialsTokenSource(config: ClientCredentialsTokenSourceConfig): ServiceTokenSource {
  const settings = parseOptions('createClientCredentialsTokenSource', tokenSourceOptions, config);
  const client = new Configuration(
    { issuer: settings.issuer, token_endpoint: settings.tokenUrl },
    settings.clientId,
    { client_secret: settings.clientSecret },
    settings.authMethod === 'client_secret_basic' ? ClientSecretBasic(settings.clientSecret) : ClientSecretPost(settings.clientSecret),
  );
  client.timeout = Math.max(1, Math.ceil(settings.timeoutMs / 1000));
  if (new URL(settings.tokenUrl).protocol === 'http:') allowInsecureRequests(client);
  // A hit makes the token the most recently used (get); a token due for refresh stays until it is replaced.
  const cache = new LRUCache<string, CachedToken>({ max: settings.maxCachedTokens });
  const pending = new Map<string, Promise<string>>();

  async function fetchToken(key: string, request: ServiceTokenRequest): Promise<string> {
    // RFC 8707: an absolute URI audience is asked for as `resource` (what standard providers read); a bare name
    // such as the federation audience `mcpfed` only as `audience`, which some providers (Auth0, mcpfed's own
    // development issuer) take instead.
    const parameters: Record<string, string> = URL.canParse(request.audience)
      ? { scope: settings.scope, resource: request.audience }
      : { scope: settings.scope, audience: request.audience };
    const requestedAt = Date.now();
    let response: Awaited<ReturnType<typeof clientCredentialsGrant>>;
    try {
      response =
        request.subjectToken === undefined
          ? await clientCredentialsGrant(client, parameters)
          : // RFC 8693: the caller's token for one whose audience is the next server, acting as this client.
            await genericGrantRequest(client, TOKEN_EXCHANGE_GRANT_TYPE, {
              subject_token: request.subjectToken,
              subject_token_type: ACCESS_TOKEN_TYPE,
              requested_token_type: ACCESS_TOKEN_TYPE,
              ...(URL.canParse(request.audience) ? { resource: request.audience } : { audience: request.audience }),
            });
    } catch (error) {
      // RFC 8693 §2.2.2: invalid_grant names the subject token — the caller's, expired or revoked since it was
      // verified: the caller must get a new one, the service's configuration is fine.
      if (request.subjectToken !== undefined && error instanceof ResponseBodyError && error.error === 'invalid_grant') {
        throw new AppError('UNAUTHENTICATED', "the caller's token could not be exchanged (expired or revoked)", {
          details: { upstream: 'token-endpoint' },
          cause: error,
        });
      }
      throw await tokenEndpointError(error, settings);
    }
    const token = response.access_token;
    const expiresIn = typeof response.expires_in === 'number' && response.expires_in > 0 ? response.expires_in : DEFAULT_EXPIRES_IN_SECONDS;
    const margin = Math.min(settings.refreshBeforeExpirySeconds, expiresIn / 2);
    // Counted from when the request was sent: the issuer's clock started no earlier than that.
    cache.set(key, { token, refreshAt: requestedAt + (expiresIn - margin) * 1000 });
    return token;
  }

  return Object.freeze({
    token(request: ServiceTokenRequest): Promise<string> {
      if (typeof request.audience !== 'string' || request.audience.length === 0) {
        return Promise.reject(new AppError('VALIDATION_FAILED', 'ServiceTokenSource.token: audience must be a non-empty string'));
      }
      if (request.subjectToken !== undefined && (typeof request.subjectToken !== 'string' || request.subjectToken.length === 0)) {
        return Promise.reject(new AppError('VALIDATION_FAILED', 'ServiceTokenSource.token: subjectToken must be a non-empty string when given'));
      }
      if (request.signal?.aborted) return Promise.reject(cancellationError(request.signal.reason));
      // An exchanged token is cached per caller token and audience; the key holds a digest, never the token.
      const key = `${request.audience}\u0000${request.subjectToken === undefined ? '' : hash('sha256', request.subjectToken, 'base64url')}`;
      if (!request.refresh) {
        const cached = cache.get(key);
        if (cached !== undefined && cached.refreshAt > Date.now()) return Promise.resolve(cached.token);
      } else {
        cache.delete(key);
      }
      let shared = pending.get(key);
      if (shared === undefined) {
        shared = fetchToken(key, request).finally(() => pending.delete(key));
        pending.set(key, shared);
      }
      return request.signal === undefined ? shared : raceAbort(shared, request.signal);
    },
  });
}

/** Maps an openid-client failure to the AppError the callers expect; never includes the secret. */
async function tokenEndpointError(error: unknown, settings: Settings): Promise<AppError> {
  if (AppError.is(error)) return error;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || isNetworkError(error)) {
    return new AppError(
      'UPSTREAM_UNAVAILABLE',
      name === 'TimeoutError' ? `the token endpoint did not answer within ${settings.timeoutMs} ms` : 'the token endpoint could not be reached',
      {
        details: { upstream: 'token-endpoint' },
        cause: error,
      },
    );
  }
  const status = error instanceof ResponseBodyError || error instanceof WWWAuthenticateChallengeError ? error.status : responseStatus(error);
  if (status !== undefined && (status >= 500 || status === 429)) {
    return new AppError('UPSTREAM_UNAVAILABLE', `the token endpoint answered ${status}`, { details: { upstream: 'token-endpoint', status }, cause: error });
  }
  if (error instanceof ResponseBodyError || error instanceof WWWAuthenticateChallengeError) {
    const oauthError = error instanceof ResponseBodyError ? error.error : await challengedError(error);
    return new AppError(
      'INTERNAL',
      `the token endpoint refused client ${settings.clientId} (${error.status} ${oauthError}); check SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET and the client's allowed scopes`,
      {
        details: { upstream: 'token-endpoint', status: error.status, oauth_error: oauthError },
        cause: error,
      },
    );
  }
  return new AppError('INTERNAL', 'the token endpoint answered without a usable bearer access_token', {
    details: { upstream: 'token-endpoint', ...(status === undefined ? {} : { status }) },
    cause: error,
  });
}

/** The OAuth error code of a 401 that came with a `WWW-Authenticate` challenge (RFC 6749 §5.2: `invalid_client`). */
async function challengedError(error: WWWAuthenticateChallengeError): Promise<string> {
  try {
    const body = (await error.response.json()) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // The body was not JSON (or was read already): fall back to the challenge.
  }
  const fromChallenge = error.cause.map((challenge) => challenge.parameters.error).find((value) => typeof value === 'string');
  return fromChallenge ?? (error.status === 401 ? 'invalid_client' : 'unknown');
}

function responseStatus(error: unknown): number | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof Response ? cause.status : undefined;
}

const SCOPES = 'must be a non-empty list of scope tokens';
const WHOLE_NUMBER = 'must be an integer >= 1';

const tokenSourceOptions = z
  .object({
    tokenUrl: optionSchemas.httpUrl(),
    issuer: optionSchemas.nonEmptyString().optional(),
    clientId: optionSchemas.nonEmptyString(),
    clientSecret: optionSchemas.nonEmptyString(),
    scopes: z.array(z.string(), { error: SCOPES }).refine((list) => list.length > 0 && list.every(isScopeToken), { error: SCOPES }),
    authMethod: z
      .enum(['client_secret_basic', 'client_secret_post'], { error: 'must be client_secret_basic or client_secret_post' })
      .default('client_secret_basic'),
    refreshBeforeExpirySeconds: optionSchemas.nonNegativeNumber(60),
    maxCachedTokens: z.number({ error: WHOLE_NUMBER }).int({ error: WHOLE_NUMBER }).min(1, { error: WHOLE_NUMBER }).default(1000),
    timeoutMs: z.number({ error: WHOLE_NUMBER }).int({ error: WHOLE_NUMBER }).min(1, { error: WHOLE_NUMBER }).default(5000),
  })
  .transform(({ scopes, issuer, ...rest }) => ({ ...rest, issuer: issuer ?? new URL(rest.tokenUrl).origin, scope: [...new Set(scopes)].join(' ') }));

type Settings = z.output<typeof tokenSourceOptions>;
