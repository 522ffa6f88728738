import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { DevIssuer } from './dev-issuer.ts';
import { isScopeToken } from './scope-token.ts';

/** A service registered with the dev issuer's token endpoint (OAuth 2.0 confidential client). */
export interface DevServiceClient {
  /** `client_id`; also the `sub` of the tokens it gets (e.g. `order-server`). */
  readonly id: string;
  /** `client_secret`. Dev only: compared in constant time, never logged. */
  readonly secret: string;
  /** Scopes it may ask for; a request for any other is `invalid_scope`. */
  readonly scopes: readonly string[];
}

/** Options of {@link createDevIssuerServer}. */
export interface DevIssuerServerOptions {
  /** Scopes advertised as `scopes_supported` in the metadata. Default: omitted from the document. */
  scopesSupported?: readonly string[];
  /**
   * Clients of the token endpoint (`POST /oauth/token`, client credentials grant). Default: none, and then
   * there is no token endpoint (404) and the metadata names none.
   */
  clients?: readonly DevServiceClient[];
  /** Lifetime of tokens issued by the token endpoint, in seconds (integer >= 1). Default 900 (15 minutes). */
  serviceTokenTtlSeconds?: number;
}

/** Path of the JWKS; verifiers of dev tokens set `AUTH_JWKS_URL` to `<issuerUrl>/.well-known/jwks.json`. */
export const DEV_ISSUER_JWKS_PATH = '/.well-known/jwks.json';

/** Path of the RFC 8414 authorization server metadata. */
export const DEV_ISSUER_METADATA_PATH = '/.well-known/oauth-authorization-server';

/** Path of the token endpoint (client credentials grant), present when clients are registered. */
export const DEV_ISSUER_TOKEN_PATH = '/oauth/token';

/** The audience of a service token when the request names none: the federation audience. */
const DEFAULT_SERVICE_AUDIENCE = 'mcpfed';
/** Largest accepted token request body, in bytes. */
const MAX_TOKEN_REQUEST_BYTES = 16 * 1024;

/**
 * An HTTP server (not yet listening) publishing a {@link DevIssuer}'s keys and metadata:
 * - `GET /.well-known/jwks.json` → `{ keys: [...] }`, `Cache-Control: public, max-age=300`;
 * - `GET /.well-known/oauth-authorization-server` → minimal RFC 8414 metadata: `issuer`, `jwks_uri`,
 *   `scopes_supported` (when given), `response_types_supported: ['code']`,
 *   `grant_types_supported: ['client_credentials']`, and with clients `token_endpoint` and
 *   `token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post']`;
 * - with {@link DevIssuerServerOptions.clients}: `POST /oauth/token`, the OAuth 2.0 client credentials grant
 *   (RFC 6749 §4.4) for service-to-service calls. Form-encoded `grant_type=client_credentials`, `client_id` +
 *   `client_secret` (or HTTP Basic), `scope` (space-separated, a subset of the client's scopes; default all of
 *   them), `resource` (RFC 8707) or `audience` (default `mcpfed`) and mcpfed's extension `acting_for` (the original caller, written as
 *   `act.sub`). Answers `{ access_token, token_type: 'Bearer', expires_in, scope }` with `Cache-Control:
 *   no-store`, or an RFC 6749 §5.2 error: 401 `invalid_client` (unknown client or wrong secret, with
 *   `WWW-Authenticate: Basic`), 400 `invalid_scope`, `unsupported_grant_type` or `invalid_request`.
 *   Tokens are service tokens: `sub` = client id, `token_use: "service"`;
 * - anything else → 404 JSON (405 for another method on a known path).
 *
 * There is no authorization endpoint: user tokens are minted only by the dev-stack CLI (`npm run token`),
 * which calls {@link DevIssuer.mint}. `jwks_uri` and `token_endpoint` are derived from `issuerUrl`, so serve
 * this at the issuer URL's host and port.
 */
export function createDevIssuerServer(issuer: DevIssuer, options: DevIssuerServerOptions = {}): Server {
  const base = issuer.issuerUrl.replace(/\/+$/, '');
  const clients = clientRegistry(options.clients ?? []);
  const ttlSeconds = options.serviceTokenTtlSeconds ?? 900;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError(`serviceTokenTtlSeconds must be an integer >= 1, got ${ttlSeconds}`);
  const metadata = JSON.stringify({
    issuer: issuer.issuerUrl,
    jwks_uri: `${base}${DEV_ISSUER_JWKS_PATH}`,
    ...(options.scopesSupported === undefined ? {} : { scopes_supported: [...options.scopesSupported] }),
    response_types_supported: ['code'],
    grant_types_supported: ['client_credentials'],
    ...(clients.size === 0
      ? {}
      : { token_endpoint: `${base}${DEV_ISSUER_TOKEN_PATH}`, token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'] }),
  });
  const jwks = JSON.stringify(issuer.publicJwks());
  const routes = new Map([
    [DEV_ISSUER_JWKS_PATH, jwks],
    [DEV_ISSUER_METADATA_PATH, metadata],
  ]);

  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === DEV_ISSUER_TOKEN_PATH && clients.size > 0) {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        send(res, 405, JSON.stringify({ error: 'method_not_allowed' }), 'no-store');
        req.resume();
        return;
      }
      handleTokenRequest(req, issuer, clients, ttlSeconds).then(
        ({ status, body, headers }) => {
          for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
          send(res, status, JSON.stringify(body), 'no-store');
        },
        () => send(res, 500, JSON.stringify({ error: 'server_error' }), 'no-store'),
      );
      return;
    }
    const body = routes.get(path);
    if (body === undefined) {
      send(res, 404, JSON.stringify({ error: 'not_found' }), 'no-store');
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, JSON.stringify({ error: 'method_not_allowed' }), 'no-store');
    } else {
      send(res, 200, body, 'public, max-age=300', req.method === 'HEAD');
    }
  });
}

function send(res: ServerResponse, status: number, body: string, cacheControl: string, headOnly = false): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': cacheControl,
  });
  res.end(headOnly ? undefined : body);
}

interface RegisteredClient {
  readonly id: string;
  readonly secretDigest: Buffer;
  readonly scopes: ReadonlySet<string>;
}

function clientRegistry(clients: readonly DevServiceClient[]): Map<string, RegisteredClient> {
  const registry = new Map<string, RegisteredClient>();
  for (const client of clients) {
    if (typeof client.id !== 'string' || !/^[A-Za-z0-9._~-]{1,128}$/.test(client.id)) throw new TypeError(`dev issuer client id ${String(client.id)} is not a valid client_id`);
    if (typeof client.secret !== 'string' || client.secret.length < 16) throw new TypeError(`dev issuer client ${client.id}: secret must have at least 16 characters`);
    if (!client.scopes.every(isScopeToken)) throw new TypeError(`dev issuer client ${client.id}: scopes must be scope tokens`);
    if (registry.has(client.id)) throw new TypeError(`dev issuer client ${client.id} is registered twice`);
    registry.set(client.id, { id: client.id, secretDigest: sha256(client.secret), scopes: new Set(client.scopes) });
  }
  return registry;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

function oauthError(status: number, error: string, description: string, headers?: Record<string, string>): TokenAnswer {
  return { status, body: { error, error_description: description }, ...(headers ? { headers } : {}) };
}

async function handleTokenRequest(req: IncomingMessage, issuer: DevIssuer, clients: Map<string, RegisteredClient>, ttlSeconds: number): Promise<TokenAnswer> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    req.resume();
    return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
  }
  const text = await readText(req, MAX_TOKEN_REQUEST_BYTES);
  if (text === undefined) return oauthError(400, 'invalid_request', `request body exceeds ${MAX_TOKEN_REQUEST_BYTES} bytes`);
  const form = new URLSearchParams(text);
  for (const name of ['grant_type', 'client_id', 'client_secret', 'scope', 'audience', 'resource', 'acting_for']) {
    // RFC 6749 §3.2: request parameters must not be included more than once.
    if (form.getAll(name).length > 1) return oauthError(400, 'invalid_request', `parameter ${name} is repeated`);
  }
  const basic = basicCredentials(req.headers.authorization);
  if (basic === 'malformed') return oauthError(401, 'invalid_client', 'malformed Basic credentials', { 'WWW-Authenticate': 'Basic realm="mcpfed-dev"' });
  if (basic && (form.has('client_secret') || (form.has('client_id') && form.get('client_id') !== basic.id))) {
    return oauthError(400, 'invalid_request', 'use one client authentication method, not both');
  }
  const clientId = basic?.id ?? form.get('client_id') ?? '';
  const secret = basic?.secret ?? form.get('client_secret') ?? '';
  const client = clients.get(clientId);
  // Compare digests so the comparison takes the same time whatever the secret's length.
  if (client === undefined || !timingSafeEqual(client.secretDigest, sha256(secret))) {
    return oauthError(401, 'invalid_client', 'unknown client or wrong secret', { 'WWW-Authenticate': 'Basic realm="mcpfed-dev"' });
  }
  const grantType = form.get('grant_type');
  if (grantType === null) return oauthError(400, 'invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'only client_credentials is supported');
  const requested = form.has('scope') ? (form.get('scope') ?? '').split(' ').filter(Boolean) : [...client.scopes];
  if (requested.length === 0) return oauthError(400, 'invalid_scope', 'scope names no scope');
  const notAllowed = requested.filter((scope) => !client.scopes.has(scope));
  if (notAllowed.length > 0) return oauthError(400, 'invalid_scope', `scope not allowed for this client: ${notAllowed.join(' ')}`);
  // RFC 8707 `resource` names the audience as standard providers take it; `audience` is the older convention.
  const audience = form.get('resource') ?? form.get('audience') ?? DEFAULT_SERVICE_AUDIENCE;
  if (audience.length === 0 || audience.length > 2048) return oauthError(400, 'invalid_request', 'audience must be a non-empty string');
  const actingFor = form.get('acting_for') ?? undefined;
  if (actingFor !== undefined && (actingFor.length === 0 || actingFor.length > 256)) return oauthError(400, 'invalid_request', 'acting_for must be 1 to 256 characters');
  const scopes = [...new Set(requested)];
  const token = await issuer.mint({
    subject: client.id,
    scopes,
    audience,
    ttlSeconds,
    kind: 'service',
    ...(actingFor === undefined ? {} : { actingFor }),
  });
  return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds, scope: scopes.join(' ') } };
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | 'malformed' | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return 'malformed';
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    return 'malformed';
  }
}

function readText(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
