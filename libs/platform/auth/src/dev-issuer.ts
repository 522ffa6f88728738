import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@mcpfed/errors';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { DEFAULT_CUSTOMER_CLAIM, isCustomerId } from './customer-claim.ts';
import { isScopeToken } from './scope-token.ts';

/** File name of the issuer's private key inside {@link DevIssuerOptions.dir}. */
export const DEV_ISSUER_KEY_FILE = 'dev-issuer-key.json';

const ALG = 'ES256';

/** Options of {@link loadOrCreateDevIssuer}. */
export interface DevIssuerOptions {
  /** Directory holding the key file (created with mode 0700 when missing), e.g. `.data/dev-issuer`. */
  dir: string;
  /** The `iss` of minted tokens; servers set `AUTH_ISSUER` to the same string (e.g. `http://127.0.0.1:8090`). */
  issuerUrl: string;
}

/** Options of {@link DevIssuer.mint}. */
export interface DevTokenOptions {
  /** The `sub` claim: the principal id servers will see. */
  subject: string;
  /** Granted scopes, written as the space-separated `scope` claim. */
  scopes: readonly string[];
  /** The `aud` claim: the resource identifier(s) of the server(s) the token is for. */
  audience: string | readonly string[];
  /** Lifetime in seconds from now (integer >= 1). Default: 3600 (one hour). Ignored when `expiresAt` is set. */
  ttlSeconds?: number;
  /**
   * The RFC 9068 `client_id` claim: the client the token was issued to. Default: none. A token whose `client_id`
   * equals its `subject` is a service's own (client credentials) token.
   */
  clientId?: string;
  /** `service` is short for `clientId: subject` (a client credentials token). Default: `user`. */
  kind?: 'user' | 'service';
  /**
   * The delegation chain, most recent actor first, written as nested `act` claims (RFC 8693 §4.1): `['order-server',
   * 'router']` is `act: { sub: 'order-server', act: { sub: 'router' } }`. Default: none.
   */
  actors?: readonly string[];
  /** Absolute `exp`, epoch seconds; may lie in the past (tests of expiry). Default: now + `ttlSeconds`. */
  expiresAt?: number;
  /** Binds the token to one customer: written as the `customerClaim` claim. Default: unbound. */
  customerId?: string;
  /** Name of the customer claim (the servers' `AUTH_CUSTOMER_CLAIM`). Default `customer_id`. */
  customerClaim?: string;
}

/** A local token issuer for development and tests: one ES256 key, a JWKS and a minting function. */
export interface DevIssuer {
  /** The `iss` of every minted token. */
  readonly issuerUrl: string;
  /** Key id: the RFC 7638 thumbprint of the public key; stable across restarts while the key file is kept. */
  readonly kid: string;
  /** The public key set to serve at `/.well-known/jwks.json` (one key with `kid`, `alg` and `use: 'sig'`). */
  publicJwks(): { keys: JWK[] };
  /** The private signing key as a JWK (for the dev provider's keystore). Development only. */
  privateJwk(): JWK;
  /** Signs an access token (`typ: at+jwt`) with a fresh `jti` and `iat` = now. */
  mint(options: DevTokenOptions): Promise<string>;
}

/**
 * Loads the dev issuer's key from `<dir>/dev-issuer-key.json`, or creates it: an ES256 private key as a JWK,
 * mode 0600. Reusing the file keeps tokens valid across restarts. Creation is safe under concurrency: each
 * creator writes its own temporary file and links it into place only if no key exists yet (link fails instead
 * of overwriting), so every process ends up with the same key and no reader ever sees a partial file.
 *
 * Dev and tests verify these tokens with the same `createJwtVerifier` as production; only the issuer differs.
 * Never use this issuer in production: its private key sits unencrypted on disk.
 * Throws `AppError('PRECONDITION_FAILED')` when an existing key file is not a P-256 private JWK.
 */
export async function loadOrCreateDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const issuerUrl = options.issuerUrl;
  if (typeof issuerUrl !== 'string' || !/^https?:\/\/\S+$/.test(issuerUrl)) {
    throw new AppError('VALIDATION_FAILED', 'loadOrCreateDevIssuer: issuerUrl must be an absolute http(s) URL');
  }
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const file = join(options.dir, DEV_ISSUER_KEY_FILE);
  const stored = (await readKey(file)) ?? (await createKey(file));
  const privateKey = (await importJWK(stored, ALG)) as CryptoKey;
  const kid = stored.kid as string;
  const publicJwk: JWK = Object.freeze({ kty: 'EC', crv: 'P-256', x: stored.x, y: stored.y, kid, alg: ALG, use: 'sig' });

  return Object.freeze({
    issuerUrl,
    kid,
    publicJwks: () => ({ keys: [{ ...publicJwk }] }),
    privateJwk: () => ({ ...stored, kid, alg: ALG, use: 'sig' }),
    async mint(mintOptions: DevTokenOptions): Promise<string> {
      const claims = tokenClaims(mintOptions);
      return new SignJWT(claims.extra)
        .setProtectedHeader({ alg: ALG, kid, typ: 'at+jwt' })
        .setIssuer(issuerUrl)
        .setSubject(mintOptions.subject)
        .setAudience(claims.audience)
        .setIssuedAt()
        .setExpirationTime(claims.expiresAt)
        .setJti(randomUUID())
        .sign(privateKey);
    },
  });
}

function tokenClaims(options: DevTokenOptions): { extra: Record<string, unknown>; audience: string[]; expiresAt: number } {
  if (typeof options.subject !== 'string' || options.subject.length === 0) invalid('subject must be a non-empty string');
  if (!options.scopes.every(isScopeToken)) invalid('scopes must be scope tokens (no spaces or quotes)');
  const audience = typeof options.audience === 'string' ? [options.audience] : [...options.audience];
  if (audience.length === 0 || !audience.every((a) => typeof a === 'string' && a.length > 0)) {
    invalid('audience must be a non-empty string or list of non-empty strings');
  }
  const ttlSeconds = options.ttlSeconds ?? 3600;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) invalid('ttlSeconds must be an integer >= 1');
  if (options.expiresAt !== undefined && !Number.isSafeInteger(options.expiresAt)) {
    invalid('expiresAt must be an integer (epoch seconds)');
  }
  const clientId = options.clientId ?? (options.kind === 'service' ? options.subject : undefined);
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId.length === 0)) invalid('clientId must be a non-empty string');
  const actors = options.actors ?? [];
  if (!actors.every((a) => typeof a === 'string' && a.length > 0)) invalid('actors must be non-empty strings');
  const extra: Record<string, unknown> = { scope: options.scopes.join(' ') };
  if (options.customerId !== undefined) {
    if (!isCustomerId(options.customerId)) invalid('customerId must be 1-100 printable characters without spaces');
    extra[options.customerClaim ?? DEFAULT_CUSTOMER_CLAIM] = options.customerId;
  }
  if (clientId !== undefined) extra.client_id = clientId;
  const act = actors.reduceRight<Record<string, unknown> | undefined>((inner, sub) => (inner === undefined ? { sub } : { sub, act: inner }), undefined);
  if (act !== undefined) extra.act = act;
  const expiresAt = options.expiresAt ?? Math.floor(Date.now() / 1000) + ttlSeconds;
  return { extra, audience, expiresAt };
}

async function readKey(file: string): Promise<JWK | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch (cause) {
    throw corrupt(file, cause);
  }
  const k = jwk as Partial<Record<string, unknown>>;
  const valid =
    typeof jwk === 'object' &&
    jwk !== null &&
    k.kty === 'EC' &&
    k.crv === 'P-256' &&
    typeof k.x === 'string' &&
    typeof k.y === 'string' &&
    typeof k.d === 'string' &&
    typeof k.kid === 'string';
  if (!valid) throw corrupt(file);
  return jwk as JWK;
}

async function createKey(file: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'sha256');
  const stored: JWK = { ...jwk, kid, alg: ALG, use: 'sig' };
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      // Another process created the key first: use theirs, so all processes sign with the same key.
      await unlink(temp);
      const existing = await readKey(file);
      if (existing === undefined) throw corrupt(file, error);
      return existing;
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    // File systems without hard links: rename is still atomic, but the last of two racing creators wins.
    await rename(temp, file);
    return stored;
  }
  await unlink(temp);
  return stored;
}

function corrupt(file: string, cause?: unknown): AppError {
  return new AppError('PRECONDITION_FAILED', 'dev issuer key file is not an ES256 private JWK; delete it to create a new key', {
    details: { file },
    cause,
  });
}

function invalid(message: string): never {
  throw new AppError('VALIDATION_FAILED', `DevIssuer.mint: ${message}`);
}
