import { ClientError, allowInsecureRequests, discovery } from 'openid-client';
import { ConfigError } from '@mcpfed/config';

/** Settings of {@link discoverIssuer}: the identity settings every server shares. */
export interface IssuerDiscoveryConfig {
  /** The authorization server's issuer identifier (`AUTH_ISSUER`), compared exactly with the metadata's `issuer`. */
  issuer: string;
  /** Explicit JWKS URL (`AUTH_JWKS_URL`); wins over the metadata's `jwks_uri`. */
  jwksUrl?: string | undefined;
  /** Explicit token endpoint (`AUTH_TOKEN_URL`); wins over the metadata's `token_endpoint`. */
  tokenUrl?: string | undefined;
  /**
   * Whether the caller needs a token endpoint (it gets tokens of its own: the router, the order server). Default
   * false: a server that only verifies tokens needs the JWKS alone.
   */
  needsTokenEndpoint?: boolean;
  /** Timeout of one metadata request, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /**
   * How long an unreachable issuer (no answer, timeout, 5xx) is retried, with backoff, before giving up, in
   * milliseconds: an issuer starting alongside the servers is not a configuration error. Default 0 (one attempt).
   */
  retryForMs?: number;
}

/** Where an authorization server publishes its keys and issues tokens. */
export interface DiscoveredIssuer {
  /** The issuer identifier, as configured (and, when discovered, as the metadata states it). */
  readonly issuer: string;
  /** JWKS of the issuer's signing keys. */
  readonly jwksUrl: string;
  /** Token endpoint, when the issuer has one (always set when `needsTokenEndpoint`). */
  readonly tokenUrl: string | undefined;
  /** Where the metadata came from, or `explicit` when the overrides made discovery unnecessary. */
  readonly source: string;
}

/**
 * Finds an issuer's JWKS and token endpoint (docs/architecture.md §5): from `AUTH_JWKS_URL` / `AUTH_TOKEN_URL` when both
 * that the caller needs are set, else from the issuer's metadata with `openid-client` — OpenID Connect Discovery
 * (`<issuer>/.well-known/openid-configuration`) first, then RFC 8414 (`/.well-known/oauth-authorization-server`
 * inserted before the issuer's path) when the first answers 404. openid-client checks that the document's `issuer`
 * equals `issuer` exactly. Explicit settings win over the metadata. `http:` issuers are allowed (local development
 * and closed networks); the metadata is fetched once, at start.
 * @throws ConfigError one line naming the setting to fix: `AUTH_ISSUER` (no metadata, wrong issuer, unreachable),
 *   `AUTH_JWKS_URL` (metadata without `jwks_uri`), `AUTH_TOKEN_URL` (no token endpoint where one is needed).
 */
export async function discoverIssuer(config: IssuerDiscoveryConfig): Promise<DiscoveredIssuer> {
  const needsToken = config.needsTokenEndpoint === true;
  if (config.jwksUrl !== undefined && (!needsToken || config.tokenUrl !== undefined)) {
    return Object.freeze({ issuer: config.issuer, jwksUrl: config.jwksUrl, tokenUrl: config.tokenUrl, source: 'explicit' });
  }
  const metadata = await fetchMetadataRetrying(config.issuer, config.timeoutMs ?? 5000, config.retryForMs ?? 0);
  const jwksUrl = config.jwksUrl ?? stringField(metadata.document, 'jwks_uri');
  if (jwksUrl === undefined) {
    throw configError('AUTH_JWKS_URL', `required: the issuer's metadata (${metadata.url}) names no jwks_uri`);
  }
  const tokenUrl = config.tokenUrl ?? stringField(metadata.document, 'token_endpoint');
  if (needsToken && tokenUrl === undefined) {
    throw configError('AUTH_TOKEN_URL', `required: the issuer's metadata (${metadata.url}) names no token_endpoint`);
  }
  return Object.freeze({ issuer: config.issuer, jwksUrl, tokenUrl, source: metadata.url });
}

async function fetchMetadataRetrying(issuer: string, timeoutMs: number, retryForMs: number): Promise<Metadata> {
  const giveUpAt = Date.now() + retryForMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchMetadata(issuer, timeoutMs);
    } catch (error) {
      const transient = error instanceof UnreachableIssuer;
      if (!transient || Date.now() >= giveUpAt) throw error instanceof UnreachableIssuer ? error.configError : error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 200 * 2 ** attempt, Math.max(0, giveUpAt - Date.now()))));
    }
  }
}

/** The issuer did not answer (or answered 5xx): worth another attempt while the retry budget lasts. */
class UnreachableIssuer extends Error {
  readonly configError: ConfigError;
  constructor(configError: ConfigError) {
    super(configError.message);
    this.configError = configError;
  }
}

interface Metadata {
  readonly url: string;
  readonly document: Readonly<Record<string, unknown>>;
}

async function fetchMetadata(issuer: string, timeoutMs: number): Promise<Metadata> {
  let server: URL;
  try {
    server = new URL(issuer);
  } catch {
    throw configError('AUTH_ISSUER', 'must be an absolute http(s) URL');
  }
  const failures: string[] = [];
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    const url = metadataUrl(server, algorithm);
    try {
      const configuration = await discovery(server, 'metadata-discovery', undefined, undefined, {
        algorithm,
        timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
        ...(server.protocol === 'http:' ? { execute: [allowInsecureRequests] } : {}),
      });
      const document = configuration.serverMetadata() as unknown as Record<string, unknown>;
      // openid-client compares URLs, for which `https://idp` and `https://idp/` are the same; tokens carry the string.
      if (document['issuer'] !== issuer) {
        throw configError(
          'AUTH_ISSUER',
          `${issuer}: the metadata at ${url} names issuer ${JSON.stringify(document['issuer'])}: tokens would not match (the value must match exactly, trailing slash included)`,
        );
      }
      return { url, document };
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      const status = httpStatus(error);
      // 404: this issuer publishes the other kind of metadata; anything else is the answer.
      if (status === 404) {
        failures.push(`${url} answered 404`);
        continue;
      }
      const failure = configError('AUTH_ISSUER', `${issuer}: ${describe(error, url, status)}`);
      const unreachable = status === undefined ? !(error instanceof ClientError) : status >= 500;
      throw unreachable ? new UnreachableIssuer(failure) : failure;
    }
  }
  throw configError('AUTH_ISSUER', `${issuer}: no authorization server metadata (${failures.join(', ')})`);
}

/** The metadata URL openid-client asks for with `algorithm` (its documented issuer transformation). */
function metadataUrl(server: URL, algorithm: 'oidc' | 'oauth2'): string {
  const path = server.pathname.replace(/\/+$/, '');
  return algorithm === 'oidc' ? `${server.origin}${path}/.well-known/openid-configuration` : `${server.origin}/.well-known/oauth-authorization-server${path}`;
}

function httpStatus(error: unknown): number | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof Response ? cause.status : undefined;
}

function describe(error: unknown, url: string, status: number | undefined): string {
  if (status !== undefined) return `${url} answered ${status}`;
  if (error instanceof ClientError) {
    if (error.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED')
      return `the metadata at ${url} names another issuer (the value must match exactly, trailing slash included)`;
    if (error.code === 'OAUTH_RESPONSE_IS_NOT_JSON') return `${url} did not answer JSON`;
    return `the metadata at ${url} is invalid (${error.message})`;
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `${url} did not answer in time`;
  return `${url} could not be reached`;
}

function stringField(document: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = document[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function configError(setting: string, message: string): ConfigError {
  return new ConfigError([{ setting, message }]);
}
