import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@mcpfed/config';
import { discoverIssuer } from '../src/index.ts';

/** A metadata server: `documents` maps a path to the JSON it serves; any other path is 404. */
let server: Server;
let base: string;
const documents = new Map<string, (base: string) => Record<string, unknown>>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const document = documents.get(req.url ?? '');
    res.writeHead(document === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(document === undefined ? { error: 'not_found' } : document(base)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // An OIDC provider under a path (Keycloak realms, Auth0 tenants and Entra tenants look like this).
  documents.set('/realms/shop/.well-known/openid-configuration', (b) => ({
    issuer: `${b}/realms/shop`,
    jwks_uri: `${b}/realms/shop/certs`,
    token_endpoint: `${b}/realms/shop/token`,
    authorization_endpoint: `${b}/realms/shop/auth`,
  }));
  // An OAuth server with RFC 8414 metadata only (path inserted after /.well-known/).
  documents.set('/.well-known/oauth-authorization-server/tenant', (b) => ({
    issuer: `${b}/tenant`,
    jwks_uri: `${b}/tenant/jwks`,
    token_endpoint: `${b}/tenant/token`,
  }));
  documents.set('/liar/.well-known/openid-configuration', (b) => ({ issuer: `${b}/someone-else`, jwks_uri: `${b}/jwks` }));
  documents.set('/keyless/.well-known/openid-configuration', (b) => ({ issuer: `${b}/keyless`, token_endpoint: `${b}/token` }));
  documents.set('/verify-only/.well-known/openid-configuration', (b) => ({ issuer: `${b}/verify-only`, jwks_uri: `${b}/verify-only/jwks` }));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The one line a process prints before it stops. */
async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('discoverIssuer', () => {
  it('reads OpenID Connect discovery metadata under the issuer path', async () => {
    expect(await discoverIssuer({ issuer: `${base}/realms/shop`, needsTokenEndpoint: true })).toEqual({
      issuer: `${base}/realms/shop`,
      jwksUrl: `${base}/realms/shop/certs`,
      tokenUrl: `${base}/realms/shop/token`,
      source: `${base}/realms/shop/.well-known/openid-configuration`,
    });
  });

  it('falls back to RFC 8414 metadata when there is no OpenID configuration', async () => {
    expect(await discoverIssuer({ issuer: `${base}/tenant` })).toMatchObject({
      jwksUrl: `${base}/tenant/jwks`,
      tokenUrl: `${base}/tenant/token`,
      source: `${base}/.well-known/oauth-authorization-server/tenant`,
    });
  });

  it('lets explicit settings win, and skips discovery when they cover what is needed', async () => {
    expect(await discoverIssuer({ issuer: `${base}/realms/shop`, tokenUrl: 'https://proxy.example/token' })).toMatchObject({
      jwksUrl: `${base}/realms/shop/certs`,
      tokenUrl: 'https://proxy.example/token',
    });
    // Nothing answers at this issuer: with both overrides no request is made.
    expect(
      await discoverIssuer({
        issuer: 'http://127.0.0.1:9/nowhere',
        jwksUrl: 'https://keys.example/jwks',
        tokenUrl: 'https://t.example/token',
        needsTokenEndpoint: true,
      }),
    ).toEqual({
      issuer: 'http://127.0.0.1:9/nowhere',
      jwksUrl: 'https://keys.example/jwks',
      tokenUrl: 'https://t.example/token',
      source: 'explicit',
    });
  });

  it('stops with one line naming the setting to fix', async () => {
    expect(await failure(discoverIssuer({ issuer: `${base}/missing` }))).toBe(
      `invalid configuration: AUTH_ISSUER: ${base}/missing: no authorization server metadata (${base}/missing/.well-known/openid-configuration answered 404, ${base}/.well-known/oauth-authorization-server/missing answered 404)`,
    );
    expect(await failure(discoverIssuer({ issuer: `${base}/liar` }))).toMatch(
      /^invalid configuration: AUTH_ISSUER: .*\/liar: the metadata at .* names another issuer/,
    );
    expect(await failure(discoverIssuer({ issuer: `${base}/realms/shop/` }))).toBe(
      `invalid configuration: AUTH_ISSUER: ${base}/realms/shop/: the metadata at ${base}/realms/shop/.well-known/openid-configuration names another issuer (the value must match exactly, trailing slash included)`,
    );
    expect(await failure(discoverIssuer({ issuer: `${base}/keyless` }))).toBe(
      `invalid configuration: AUTH_JWKS_URL: required: the issuer's metadata (${base}/keyless/.well-known/openid-configuration) names no jwks_uri`,
    );
    expect(await failure(discoverIssuer({ issuer: `${base}/verify-only`, needsTokenEndpoint: true }))).toBe(
      `invalid configuration: AUTH_TOKEN_URL: required: the issuer's metadata (${base}/verify-only/.well-known/openid-configuration) names no token_endpoint`,
    );
    expect(await failure(discoverIssuer({ issuer: 'http://127.0.0.1:9' }))).toBe(
      'invalid configuration: AUTH_ISSUER: http://127.0.0.1:9: http://127.0.0.1:9/.well-known/openid-configuration could not be reached',
    );
  });

  it('retries an issuer that does not answer yet, but not a wrong one', async () => {
    const late = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: lateUrl, jwks_uri: `${lateUrl}/jwks` }));
    });
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const lateUrl = `http://127.0.0.1:${port}`;
    setTimeout(() => late.listen(port, '127.0.0.1'), 500);
    try {
      expect(await discoverIssuer({ issuer: lateUrl, retryForMs: 10_000 })).toMatchObject({ jwksUrl: `${lateUrl}/jwks` });
    } finally {
      await new Promise<void>((resolve) => late.close(() => resolve()));
    }
    const started = Date.now();
    await failure(discoverIssuer({ issuer: `${base}/missing`, retryForMs: 10_000 }));
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('is satisfied by the verify-only metadata when no token endpoint is needed', async () => {
    expect(await discoverIssuer({ issuer: `${base}/verify-only` })).toMatchObject({ jwksUrl: `${base}/verify-only/jwks`, tokenUrl: undefined });
  });
});
