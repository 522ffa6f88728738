import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientCredentialsTokenSource, createDevIssuerServer, createJwtVerifier, loadOrCreateDevIssuer } from '../src/index.ts';
import type { ClientCredentialsTokenSourceConfig, DevIssuer, JwtVerifier } from '../src/index.ts';

const ISSUER = 'http://127.0.0.1:8090';
const SECRET = 'order-server-dev-secret-0123456789';
let dir: string;
let issuer: DevIssuer;
let server: Server;
let shortLived: Server;
let base: string;
let shortBase: string;
let verifier: JwtVerifier;
let tokenRequests = 0;

async function listen(s: Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const clients = [
  { id: 'order-server', secret: SECRET, scopes: ['customer:read', 'product:read', 'payment:write'] },
  { id: 'router', secret: 'router-dev-secret-0123456789abcdef', scopes: ['admin'] },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpfed-auth-cc-'));
  issuer = await loadOrCreateDevIssuer({ dir, issuerUrl: ISSUER });
  server = createDevIssuerServer(issuer, { clients });
  server.on('request', (req) => {
    if (req.url === '/oauth/token') tokenRequests++;
  });
  base = await listen(server);
  shortLived = createDevIssuerServer(issuer, { clients, serviceTokenTtlSeconds: 2 });
  shortBase = await listen(shortLived);
  verifier = createJwtVerifier({ issuer: ISSUER, audience: ['mcpfed', 'http://127.0.0.1:8081/mcp'], jwksUrl: `${base}/.well-known/jwks.json` });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => shortLived.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const source = (overrides: Partial<ClientCredentialsTokenSourceConfig> = {}) =>
  createClientCredentialsTokenSource({ tokenUrl: `${base}/oauth/token`, clientId: 'order-server', clientSecret: SECRET, scopes: ['customer:read', 'product:read'], ...overrides });

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });

describe('the dev issuer token endpoint', () => {
  it('names the token endpoint in its metadata when clients are registered', async () => {
    const meta = (await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(meta['token_endpoint']).toBe(`${ISSUER}/oauth/token`);
    expect(meta['token_endpoint_auth_methods_supported']).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(meta['grant_types_supported']).toEqual(['client_credentials']);
  });

  it('issues a service token for the requested scopes and audience, with standard claims only', async () => {
    const res = await form({ grant_type: 'client_credentials', client_id: 'order-server', client_secret: SECRET, scope: 'customer:read', audience: 'http://127.0.0.1:8081/mcp' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'customer:read' });
    const principal = await verifier.verify(body['access_token'] as string);
    expect(principal).toMatchObject({ id: 'order-server', subject: 'order-server', kind: 'service' });
    expect(principal.actor).toBeUndefined();
    expect([...principal.scopes]).toEqual(['customer:read']);
    const claims = decodeJwt(body['access_token'] as string);
    expect(claims).toMatchObject({ aud: ['http://127.0.0.1:8081/mcp'], client_id: 'order-server' });
    expect(claims).not.toHaveProperty('token_use');
    expect(claims).not.toHaveProperty('act');
  });

  it('grants every allowed scope and the federation audience when the request names none', async () => {
    const res = await form({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`order-server:${SECRET}`).toString('base64')}` });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body['scope']).toBe('customer:read product:read payment:write');
    expect(decodeJwt(body['access_token'] as string)).toMatchObject({ aud: ['mcpfed'], sub: 'order-server' });
    expect(decodeJwt(body['access_token'] as string)).not.toHaveProperty('act');
  });

  it('answers RFC 6749 errors and issues nothing for bad requests', async () => {
    const cases: Array<[Record<string, string>, Record<string, string>, number, string]> = [
      [{ grant_type: 'client_credentials', client_id: 'order-server', client_secret: 'wrong-secret' }, {}, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials', client_id: 'nobody', client_secret: SECRET }, {}, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials' }, {}, 401, 'invalid_client'],
      [{ grant_type: 'password', client_id: 'order-server', client_secret: SECRET }, {}, 400, 'unsupported_grant_type'],
      [{ client_id: 'order-server', client_secret: SECRET }, {}, 400, 'invalid_request'],
      [{ grant_type: 'client_credentials', client_id: 'order-server', client_secret: SECRET, scope: 'customer:read admin' }, {}, 400, 'invalid_scope'],
      [{ grant_type: 'client_credentials', client_id: 'order-server', client_secret: SECRET }, { 'content-type': 'application/json' }, 400, 'invalid_request'],
    ];
    for (const [fields, headers, status, error] of cases) {
      const res = await form(fields, headers);
      expect({ status: res.status, error: ((await res.json()) as { error: string }).error }).toEqual({ status, error });
    }
    const repeated = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&client_id=order-server&client_secret=${SECRET}&scope=customer:read&scope=admin` });
    expect(repeated.status).toBe(400);
    expect(((await repeated.json()) as { error: string }).error).toBe('invalid_request');
    const get = await fetch(`${base}/oauth/token`);
    expect(get.status).toBe(405);
    await get.body?.cancel();
  });

  it('has no token endpoint without registered clients', async () => {
    const bare = createDevIssuerServer(issuer);
    const url = await listen(bare);
    try {
      const res = await fetch(`${url}/oauth/token`, { method: 'POST' });
      expect(res.status).toBe(404);
      await res.body?.cancel();
      const meta = (await (await fetch(`${url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      expect(meta).not.toHaveProperty('token_endpoint');
    } finally {
      await new Promise<void>((resolve) => bare.close(() => resolve()));
    }
  });
});

describe('createClientCredentialsTokenSource', () => {
  it('fetches a service token and caches it per audience', async () => {
    for (const authMethod of ['client_secret_basic', 'client_secret_post'] as const) {
      const tokens = source({ authMethod });
      const before = tokenRequests;
      const first = await tokens.token({ audience: 'mcpfed' });
      expect(await verifier.verify(first)).toMatchObject({ subject: 'order-server', kind: 'service' });
      expect(decodeJwt(first)['scope']).toBe('customer:read product:read');
      expect(await tokens.token({ audience: 'mcpfed' })).toBe(first);
      const other = await tokens.token({ audience: 'http://127.0.0.1:8081/mcp' });
      expect(decodeJwt(other)['aud']).toEqual(['http://127.0.0.1:8081/mcp']);
      expect(tokenRequests - before).toBe(2);
      const refreshed = await tokens.token({ audience: 'mcpfed', refresh: true });
      expect(refreshed).not.toBe(first);
      expect(await tokens.token({ audience: 'mcpfed' })).toBe(refreshed);
      expect(tokenRequests - before).toBe(3);
    }
  });

  it('shares one fetch between concurrent requests for the same token', async () => {
    const tokens = source();
    const before = tokenRequests;
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.token({ audience: 'carol' })));
    expect(new Set(all).size).toBe(1);
    expect(tokenRequests - before).toBe(1);
  });

  it('drops the least recently used token when the cache is full', async () => {
    const tokens = source({ maxCachedTokens: 2 });
    const before = tokenRequests;
    const alice = await tokens.token({ audience: 'alice' });
    await tokens.token({ audience: 'bob' });
    expect(await tokens.token({ audience: 'alice' })).toBe(alice);
    await tokens.token({ audience: 'carol' });
    expect(await tokens.token({ audience: 'alice' })).toBe(alice);
    expect(tokenRequests - before).toBe(3);
    await tokens.token({ audience: 'bob' });
    expect(tokenRequests - before).toBe(4);
  });

  it('replaces a token before it expires', async () => {
    const tokens = source({ tokenUrl: `${shortBase}/oauth/token` });
    const first = await tokens.token({ audience: 'mcpfed' });
    expect(await tokens.token({ audience: 'mcpfed' })).toBe(first);
    // A 2 s token is handed out for half its life at most.
    await sleep(1100);
    expect(await tokens.token({ audience: 'mcpfed' })).not.toBe(first);
  });

  it('fails with INTERNAL when the issuer refuses the client or its scopes', async () => {
    await expect(source({ clientSecret: 'not-the-secret' }).token({ audience: 'mcpfed' })).rejects.toMatchObject({
      code: 'INTERNAL',
      retryable: false,
      details: { upstream: 'token-endpoint', status: 401, oauth_error: 'invalid_client' },
    });
    await expect(source({ scopes: ['admin'] }).token({ audience: 'mcpfed' })).rejects.toMatchObject({
      code: 'INTERNAL',
      details: { status: 400, oauth_error: 'invalid_scope' },
    });
  });

  it('fails with a retryable UPSTREAM_UNAVAILABLE when the token endpoint is down', async () => {
    const down = createDevIssuerServer(issuer, { clients });
    const url = await listen(down);
    await new Promise<void>((resolve) => down.close(() => resolve()));
    await expect(source({ tokenUrl: `${url}/oauth/token` }).token({ audience: 'mcpfed' })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { upstream: 'token-endpoint' },
    });
  });

  it('rejects an aborted request and an invalid configuration', async () => {
    const aborted = AbortSignal.abort(new Error('gone'));
    await expect(source().token({ audience: 'mcpfed', signal: aborted })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(source().token({ audience: '' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    for (const bad of [{ tokenUrl: 'nope' }, { clientId: '' }, { clientSecret: '' }, { scopes: [] }, { scopes: ['two words'] }, { timeoutMs: 0 }, { maxCachedTokens: 0 }]) {
      expect(() => source(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
  });
});
