import { AppError, optionSchemas, parseOptions } from '@mcpfed/errors';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { DEFAULT_CUSTOMER_CLAIM, isCustomerId } from './customer-claim.ts';
import type { Principal } from './principal.ts';

/** Asymmetric JWS algorithms a verifier may accept; shared-secret (`HS*`) and `none` never are. */
const SUPPORTED_ALGORITHMS: ReadonlySet<string> = new Set([
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
]);

/** How long a verified token is served from the cache at most, whatever its `exp` (milliseconds). */
const CACHE_TTL_MS = 60_000;

/** Longest token looked at (characters); anything longer is refused before parsing and never cached. */
const MAX_TOKEN_LENGTH = 16_384;

/** Settings of {@link createJwtVerifier}. */
export interface JwtVerifierConfig {
  /** Expected `iss` claim, compared exactly (e.g. `http://127.0.0.1:8090`). */
  issuer: string;
  /** Expected `aud`: this server's resource identifier, or several (e.g. also the federation audience). */
  audience: string | readonly string[];
  /** URL of the issuer's JWKS (e.g. `http://127.0.0.1:8090/.well-known/jwks.json`); fetched and cached by jose. */
  jwksUrl: string;
  /** Accepted `alg` header values, asymmetric only. Default: `['ES256', 'RS256', 'EdDSA']`. */
  algorithms?: readonly string[];
  /** Clock skew tolerated when checking `exp` and `nbf`, in seconds. Default: 30. */
  clockToleranceSeconds?: number;
  /** Verified tokens remembered (entries; 0 disables the cache). Default: 1000. */
  cacheSize?: number;
  /**
   * The claim naming the customer a token is bound to (`AUTH_CUSTOMER_CLAIM`). Default `customer_id`. A token that
   * carries it reaches only that customer; a token whose claim is not a string id is refused (UNAUTHENTICATED).
   */
  customerClaim?: string;
}

/** Turns a bearer token into a {@link Principal}. */
export interface JwtVerifier {
  /**
   * Verifies signature, `iss`, `aud`, `exp` and `nbf` and maps the claims to a principal. Throws
   * `AppError('UNAUTHENTICATED')` with a safe message (`token expired`, `token signature invalid`,
   * `token audience mismatch`, ...) for a token the caller must replace, and
   * `AppError('UPSTREAM_UNAVAILABLE')` when the issuer's keys cannot be fetched (not the caller's fault).
   */
  verify(token: string): Promise<Principal>;
}

interface CacheEntry {
  readonly principal: Principal;
  /** Epoch milliseconds: min(exp, verification time + 60 s). */
  readonly validUntilMs: number;
}

/**
 * Creates the bearer-token verifier of a resource server (docs/architecture.md §5). Keys come from the issuer's JWKS
 * through jose's `createRemoteJWKSet` (fetched on first use, cached 10 minutes, refetched at most every 30 s
 * when a token names an unknown `kid`).
 *
 * Claims → principal:
 * - `sub` (required) → `id` and `subject`. One verifier trusts one issuer, so `sub` alone is unique.
 * - `exp` (required: a token that never expires is refused) → `expiresAt`.
 * - `scope` (space-separated string; a JSON array of strings is accepted too), else `scp` (Okta, Entra ID) →
 *   `scopes`; absent = none.
 * - `act` (RFC 8693 §4.1, a token exchanged for a caller's) → `actor` = `act.sub`, `actors` = the nested chain,
 *   most recent first; `sub` stays the caller, so its scopes, limits and audit apply.
 * - `client_id` (RFC 9068) equal to `sub`, without `act` → `kind: 'service'` (a client credentials token: the
 *   service calls for itself); otherwise `kind: 'user'`. No other claim decides it.
 * - the customer claim (`customerClaim`, default `customer_id`) → `customerId`: the one customer the token reaches.
 *
 * Hot path: a verified token is remembered (keyed by the token string) until min(`exp`, now + 60 s), so a
 * repeated call with the same token costs one cache look-up. The cache holds at most `cacheSize` entries and
 * evicts the oldest insertion first. Failures are never cached.
 */
export function createJwtVerifier(options: JwtVerifierConfig): JwtVerifier {
  const config = parseOptions('createJwtVerifier', jwtVerifierOptions, options);
  const remoteKeys = createRemoteJWKSet(new URL(config.jwksUrl));
  const getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remoteKeys(header, token);
    } catch (error) {
      if (isJoseError(error, 'ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'ERR_JOSE_NOT_SUPPORTED')) {
        throw error;
      }
      // Fetch failure, timeout, non-200 or malformed JWKS: the issuer is at fault, and a new token would not help.
      throw new AppError('UPSTREAM_UNAVAILABLE', 'token signing keys unavailable', { cause: error });
    }
  };
  const verifyOptions = {
    issuer: config.issuer,
    audience: [...config.audience],
    algorithms: [...config.algorithms],
    clockTolerance: config.clockToleranceSeconds,
    requiredClaims: ['exp', 'sub'],
  };
  // Read with peek, so the eviction follows the insertion order; the expiry is the token's own (wall clock).
  const cache = config.cacheSize === 0 ? undefined : new LRUCache<string, CacheEntry>({ max: config.cacheSize });

  const remember = (token: string, principal: Principal, now: number): void => {
    if (cache === undefined) return;
    const validUntilMs = Math.min((principal.expiresAt ?? 0) * 1000, now + CACHE_TTL_MS);
    if (validUntilMs <= now) return;
    cache.set(token, { principal, validUntilMs });
  };

  return Object.freeze({
    async verify(token: string): Promise<Principal> {
      const now = Date.now();
      const hit = cache?.peek(token);
      if (hit !== undefined) {
        if (hit.validUntilMs > now) return hit.principal;
        cache?.delete(token);
      }
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        throw new AppError('UNAUTHENTICATED', 'token malformed');
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, verifyOptions));
      } catch (error) {
        throw toAppError(error);
      }
      const principal = toPrincipal(payload, token, config.customerClaim);
      remember(token, principal, now);
      return principal;
    },
  });
}

function toPrincipal(payload: JWTPayload, token: string, customerClaim: string): Principal {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject.length === 0) throw new AppError('UNAUTHENTICATED', 'token sub claim invalid');
  // `scp` is where Okta and Entra ID put them; `scope` (RFC 9068) wins when both are present.
  const scopes = new Set(parseScopes(payload.scope ?? payload['scp']));
  const customer = payload[customerClaim];
  // A malformed binding must not fall back to "unbound": that could widen the token's reach.
  if (customer !== undefined && !isCustomerId(customer)) throw new AppError('UNAUTHENTICATED', 'token customer claim invalid');
  const base = { id: subject, subject, scopes, token, expiresAt: payload.exp, ...(customer === undefined ? {} : { customerId: customer }) };
  const actors = actorChain(payload.act);
  if (actors.length > 0) return Object.freeze({ ...base, kind: 'user' as const, actor: actors[0] as string, actors: Object.freeze(actors) });
  return Object.freeze({ ...base, kind: payload['client_id'] === subject ? ('service' as const) : ('user' as const) });
}

/** Longest delegation chain read from nested `act` claims; deeper nesting is refused. */
const MAX_ACTORS = 8;

/** RFC 8693 §4.1: `act.sub` is the current actor, `act.act.sub` the one before it, and so on. */
function actorChain(act: unknown): string[] {
  const actors: string[] = [];
  let current = act;
  while (current !== undefined) {
    const sub = typeof current === 'object' && current !== null ? (current as { sub?: unknown }).sub : undefined;
    if (typeof sub !== 'string' || sub.length === 0 || actors.length >= MAX_ACTORS) throw new AppError('UNAUTHENTICATED', 'token act claim invalid');
    actors.push(sub);
    current = (current as { act?: unknown }).act;
  }
  return actors;
}

function parseScopes(claim: unknown): string[] {
  if (claim === undefined) return [];
  if (typeof claim === 'string') return claim.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(claim) && claim.every((s) => typeof s === 'string')) return claim as string[];
  throw new AppError('UNAUTHENTICATED', 'token scope claim invalid');
}

/** Maps a jose failure to a message that names the check that failed and nothing from the token itself. */
function toAppError(error: unknown): AppError {
  if (AppError.is(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const fail = (message: string) => new AppError('UNAUTHENTICATED', message, { cause: error });
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return fail('token expired');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return fail('token signature invalid');
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return fail('token signing key unknown');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return fail('token algorithm not allowed');
    case 'ERR_JOSE_NOT_SUPPORTED':
      return fail('token not supported');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const { claim, reason } = error as { claim?: unknown; reason?: unknown };
      if (reason === 'missing') return fail(`token ${claimName(claim)}claim missing`);
      if (claim === 'iss') return fail('token issuer mismatch');
      if (claim === 'aud') return fail('token audience mismatch');
      if (claim === 'nbf') return fail('token not yet valid');
      return fail(`token ${claimName(claim)}claim invalid`);
    }
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID and anything unforeseen: the caller sent something that is not a usable JWT.
      return fail('token malformed');
  }
}

/** Registered claim and header names jose may report; only these are echoed back. */
const KNOWN_CLAIMS: ReadonlySet<unknown> = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'typ']);

function claimName(claim: unknown): string {
  return KNOWN_CLAIMS.has(claim) ? `${String(claim)} ` : '';
}

function isJoseError(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && codes.includes(code);
}

const AUDIENCE = 'must be a non-empty string or list of non-empty strings';
const ALGORITHMS = `must be a non-empty subset of ${[...SUPPORTED_ALGORITHMS].join(', ')}`;
const CACHE_SIZE = 'must be an integer >= 0';
const CLAIM_NAME = 'must be a claim name (letters, digits, _ . : / -) other than a registered claim or scope';

const jwtVerifierOptions = z.object({
  issuer: optionSchemas.nonEmptyString(),
  audience: z
    .custom<string | readonly string[]>(
      (value) => {
        const list: unknown = typeof value === 'string' ? [value] : value;
        return Array.isArray(list) && list.length > 0 && list.every((a) => typeof a === 'string' && a.length > 0);
      },
      { error: AUDIENCE },
    )
    .transform((value) => Object.freeze(typeof value === 'string' ? [value] : [...value])),
  jwksUrl: optionSchemas.httpUrl(),
  algorithms: z
    .array(z.string(), { error: ALGORITHMS })
    .refine((list) => list.length > 0 && list.every((a) => SUPPORTED_ALGORITHMS.has(a)), { error: ALGORITHMS })
    .default(['ES256', 'RS256', 'EdDSA'])
    .transform((list) => Object.freeze([...list])),
  clockToleranceSeconds: optionSchemas.nonNegativeNumber(30),
  cacheSize: z.number({ error: CACHE_SIZE }).int({ error: CACHE_SIZE }).min(0, { error: CACHE_SIZE }).default(1000),
  customerClaim: z
    .string({ error: CLAIM_NAME })
    .regex(/^[A-Za-z0-9_.:/-]{1,100}$/, { error: CLAIM_NAME })
    .refine((claim) => !KNOWN_CLAIMS.has(claim) && claim !== 'scope', { error: CLAIM_NAME })
    .default(DEFAULT_CUSTOMER_CLAIM),
});
