import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevProvider } from '../src/dev-provider/index.ts';
import { createClientCredentialsTokenSource, createJwtVerifier, loadOrCreateDevIssuer } from '../src/index.ts';
import type { ClientCredentialsTokenSourceConfig, DevIssuer, JwtVerifier } from '../src/index.ts';

const ISSUER = 'http://127.0.0.1:8090';
const SECRET = 'order-server-dev-secret-0123456789';
/** The resources tokens are asked for: a server's, and three more to fill the cache with. */
const CUSTOMER = 'http://127.0.0.1:8081/mcp';
const ALICE = 'http://alice.mcpfed.test/mcp';
const BOB = 'http://bob.mcpfed.test/mcp';
const CAROL = 'http://carol.mcpfed.test/mcp';
const RESOURCES = [CUSTOMER, 'http://127.0.0.1:8083/mcp', ALICE, BOB, CAROL];
let dir: string;
let issuer: DevIssuer;
let server: Server;
let shortLived: Server;
let base: string;
let shortBase: string;
let verifier: JwtVerifier;
let tokenRequests = 0;
/** A client registered (RFC 7591) to authenticate with client_secret_post, the other method the source speaks. */
let postClient: { id: string; secret: string };

async function listen(s: Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function close(s: Server): Promise<void> {
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

const clients = [
  { id: 'order-server', secret: SECRET, scopes: ['customer:read', 'product:read', 'payment:write'] },
  { id: 'router', secret: 'router-dev-secret-0123456789abcdef', scopes: ['admin'] },
];

const provider = (accessTokenTtlSeconds?: number) =>
  createDevProvider({
    issuer,
    resources: RESOURCES,
    scopes: ['customer:read', 'product:read', 'payment:write', 'admin'],
    clients,
    ...(accessTokenTtlSeconds === undefined ? {} : { accessTokenTtlSeconds }),
  }).server;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpfed-auth-cc-'));
  issuer = await loadOrCreateDevIssuer({ dir, issuerUrl: ISSUER });
  server = provider();
  server.on('request', (req) => {
    if (req.url === '/token') tokenRequests++;
  });
  base = await listen(server);
  shortLived = provider(2);
  shortBase = await listen(shortLived);
  verifier = createJwtVerifier({ issuer: ISSUER, audience: RESOURCES, jwksUrl: `${base}/jwks` });
  const registered = await fetch(`${base}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'customer:read product:read',
    }),
  });
  if (registered.status !== 201) throw new Error(`client registration answered ${registered.status}: ${await registered.text()}`);
  const client = (await registered.json()) as { client_id: string; client_secret: string };
  postClient = { id: client.client_id, secret: client.client_secret };
});

afterAll(async () => {
  await close(server);
  await close(shortLived);
  await rm(dir, { recursive: true, force: true });
});

const source = (overrides: Partial<ClientCredentialsTokenSourceConfig> = {}) =>
  createClientCredentialsTokenSource({
    tokenUrl: `${base}/token`,
    clientId: 'order-server',
    clientSecret: SECRET,
    scopes: ['customer:read', 'product:read'],
    ...overrides,
  });

describe('createClientCredentialsTokenSource', () => {
  it('fetches a service token for the resource (RFC 8707) and caches it per audience', async () => {
    for (const authMethod of ['client_secret_basic', 'client_secret_post'] as const) {
      const client =
        authMethod === 'client_secret_basic'
          ? { clientId: 'order-server', clientSecret: SECRET }
          : { clientId: postClient.id, clientSecret: postClient.secret };
      const tokens = source({ authMethod, ...client });
      const before = tokenRequests;
      const first = await tokens.token({ audience: CUSTOMER });
      expect(await verifier.verify(first)).toMatchObject({ subject: client.clientId, kind: 'service' });
      expect(decodeJwt(first)).toMatchObject({ scope: 'customer:read product:read', aud: CUSTOMER, client_id: client.clientId });
      expect(decodeJwt(first)).not.toHaveProperty('act');
      expect(await tokens.token({ audience: CUSTOMER })).toBe(first);
      const other = await tokens.token({ audience: ALICE });
      expect(decodeJwt(other)['aud']).toBe(ALICE);
      expect(tokenRequests - before).toBe(2);
      const refreshed = await tokens.token({ audience: CUSTOMER, refresh: true });
      expect(refreshed).not.toBe(first);
      expect(await tokens.token({ audience: CUSTOMER })).toBe(refreshed);
      expect(tokenRequests - before).toBe(3);
    }
  });

  it('shares one fetch between concurrent requests for the same token', async () => {
    const tokens = source();
    const before = tokenRequests;
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.token({ audience: CAROL })));
    expect(new Set(all).size).toBe(1);
    expect(tokenRequests - before).toBe(1);
  });

  it('drops the least recently used token when the cache is full', async () => {
    const tokens = source({ maxCachedTokens: 2 });
    const before = tokenRequests;
    const alice = await tokens.token({ audience: 'alice' });
    await tokens.token({ audience: 'bob' });
    expect(await tokens.token({ audience: 'alice' })).toBe(alice);
    await tokens.token({ audience: CAROL });
    expect(await tokens.token({ audience: 'alice' })).toBe(alice);
    expect(tokenRequests - before).toBe(3);
    await tokens.token({ audience: 'bob' });
    expect(tokenRequests - before).toBe(4);
  });

  it('replaces a token before it expires', async () => {
    const tokens = source({ tokenUrl: `${shortBase}/token` });
    const first = await tokens.token({ audience: CUSTOMER });
    expect(await tokens.token({ audience: CUSTOMER })).toBe(first);
    // A 2 s token is handed out for half its life at most.
    await sleep(1100);
    expect(await tokens.token({ audience: CUSTOMER })).not.toBe(first);
  });

  it('fails with INTERNAL when the issuer refuses the client or its scopes', async () => {
    await expect(source({ clientSecret: 'not-the-secret' }).token({ audience: CUSTOMER })).rejects.toMatchObject({
      code: 'INTERNAL',
      retryable: false,
      details: { upstream: 'token-endpoint', status: 401, oauth_error: 'invalid_client' },
    });
    await expect(source({ scopes: ['admin'] }).token({ audience: CUSTOMER })).rejects.toMatchObject({
      code: 'INTERNAL',
      details: { status: 400, oauth_error: 'invalid_scope' },
    });
  });

  it('fails with a retryable UPSTREAM_UNAVAILABLE when the token endpoint is down', async () => {
    const down = provider();
    const url = await listen(down);
    await close(down);
    await expect(source({ tokenUrl: `${url}/token` }).token({ audience: CUSTOMER })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { upstream: 'token-endpoint' },
    });
  });

  it('rejects an aborted request and an invalid configuration', async () => {
    const aborted = AbortSignal.abort(new Error('gone'));
    await expect(source().token({ audience: CUSTOMER, signal: aborted })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(source().token({ audience: '' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    for (const bad of [
      { tokenUrl: 'nope' },
      { clientId: '' },
      { clientSecret: '' },
      { scopes: [] },
      { scopes: ['two words'] },
      { timeoutMs: 0 },
      { maxCachedTokens: 0 },
    ]) {
      expect(() => source(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
  });
});
