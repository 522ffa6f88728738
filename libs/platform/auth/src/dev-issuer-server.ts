import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { DevIssuer } from './dev-issuer.ts';

/** Options of {@link createDevIssuerServer}. */
export interface DevIssuerServerOptions {
  /** Scopes advertised as `scopes_supported` in the metadata. Default: omitted from the document. */
  scopesSupported?: readonly string[];
}

/** Path of the JWKS; verifiers of dev tokens set `AUTH_JWKS_URL` to `<issuerUrl>/.well-known/jwks.json`. */
export const DEV_ISSUER_JWKS_PATH = '/.well-known/jwks.json';

/** Path of the RFC 8414 authorization server metadata. */
export const DEV_ISSUER_METADATA_PATH = '/.well-known/oauth-authorization-server';

/**
 * An HTTP server (not yet listening) publishing a {@link DevIssuer}'s keys and metadata:
 * - `GET /.well-known/jwks.json` → `{ keys: [...] }`, `Cache-Control: public, max-age=300`;
 * - `GET /.well-known/oauth-authorization-server` → minimal RFC 8414 metadata: `issuer`, `jwks_uri`,
 *   `scopes_supported` (when given), `response_types_supported: ['code']`,
 *   `grant_types_supported: ['client_credentials']`;
 * - anything else → 404 JSON (405 for another method on a known path).
 *
 * The dev issuer has no authorization or token endpoint: tokens are minted only by the dev-stack CLI
 * (`npm run token`), which calls {@link DevIssuer.mint}. The metadata therefore lets clients discover the
 * issuer and its keys, not run an OAuth flow against it. `jwks_uri` is derived from `issuerUrl`, so serve this
 * at the issuer URL's host and port.
 */
export function createDevIssuerServer(issuer: DevIssuer, options: DevIssuerServerOptions = {}): Server {
  const base = issuer.issuerUrl.replace(/\/+$/, '');
  const metadata = JSON.stringify({
    issuer: issuer.issuerUrl,
    jwks_uri: `${base}${DEV_ISSUER_JWKS_PATH}`,
    ...(options.scopesSupported === undefined ? {} : { scopes_supported: [...options.scopesSupported] }),
    response_types_supported: ['code'],
    grant_types_supported: ['client_credentials'],
  });
  const jwks = JSON.stringify(issuer.publicJwks());
  const routes = new Map([
    [DEV_ISSUER_JWKS_PATH, jwks],
    [DEV_ISSUER_METADATA_PATH, metadata],
  ]);

  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
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
