import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientCredentialsTokenSource, createJwtVerifier, createOriginGuard, loadOrCreateDevIssuer } from '@mcpfed/auth';
import type { DevIssuer, JwtVerifier, Principal } from '@mcpfed/auth';
import { createDevProvider } from '@mcpfed/auth/dev-provider';
import type { DevProvider } from '@mcpfed/auth/dev-provider';
import { createLogger, createMetrics, initTracing } from '@mcpfed/telemetry';
import { FEDERATION_SCOPES } from '../src/config.ts';
import { serveRouterHttp } from '../src/http/router-http-server.ts';
import type { RouterHttpHandle } from '../src/http/router-http-config.ts';
import { Router } from '../src/router.ts';
import { createRouterMetrics } from '../src/router-metrics.ts';
import { Upstream } from '../src/upstream/upstream.ts';
import { UpstreamCredentials } from '../src/upstream/upstream-credentials.ts';
import { upstreamEntrySchema } from '../src/upstream/upstreams-config.ts';
import { startFakeUpstream } from './fixtures/fake-upstream.ts';
import type { FakeUpstream } from './fixtures/fake-upstream.ts';
import { connectClient } from './fixtures/test-federation.ts';

// An issuer under a path, with its own client ids and secret: nothing here shares the dev stack's defaults.
const ROUTER_CLIENT = 'edge-gateway';
const ROUTER_SECRET = 'edge-gateway-secret-0123456789';
const SCOPES = [...FEDERATION_SCOPES, 'alpha:read', 'alpha:write'];

let dir: string;
let issuer: DevIssuer;
let provider: DevProvider;
let issuerUrl: string;
let alpha: FakeUpstream;
let alphaVerifier: JwtVerifier | undefined;
let router: Router;
let http: RouterHttpHandle;
let routerResource: string;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'router-exchange-'));
  const issuerPort = await freePort();
  issuerUrl = `http://127.0.0.1:${issuerPort}/tenants/shop`;
  issuer = await loadOrCreateDevIssuer({ dir, issuerUrl });
  const routerPort = await freePort();
  routerResource = `http://127.0.0.1:${routerPort}/mcp`;
  provider = createDevProvider({
    issuer,
    resources: (resource) => resource.startsWith('http://127.0.0.1:'),
    scopes: SCOPES,
    clients: [{ id: ROUTER_CLIENT, secret: ROUTER_SECRET, scopes: SCOPES, exchangeAudiences: [routerResource] }],
  });
  await new Promise<void>((resolve) => provider.server.listen(issuerPort, '127.0.0.1', resolve));

  // The upstream accepts only its own audience, as every server does.
  alpha = await startFakeUpstream({
    name: 'alpha',
    verifier: { verify: (token) => (alphaVerifier as JwtVerifier).verify(token) },
    tools: [
      { name: 'alpha_get', scopes: ['alpha:read'] },
      { name: 'alpha_write', scopes: ['alpha:write'] },
    ],
  });
  alphaVerifier = createJwtVerifier({ issuer: issuerUrl, audience: alpha.url, jwksUrl: `${issuerUrl}/jwks` });

  const logger = createLogger({ name: 'router-exchange-test', level: 'silent' });
  const metrics = createMetrics({ service: 'router', collectDefault: false });
  const tokens = createClientCredentialsTokenSource({
    issuer: issuerUrl,
    tokenUrl: `${issuerUrl}/token`,
    clientId: ROUTER_CLIENT,
    clientSecret: ROUTER_SECRET,
    scopes: SCOPES,
  });
  const entry = upstreamEntrySchema.parse({ name: 'alpha', url: alpha.url });
  const upstreams = [
    new Upstream({
      entry,
      tokens,
      audience: entry.url,
      logger,
      breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10_000 },
      refreshIntervalMs: 30_000,
      probeIntervalMs: 100,
      discoveryTimeoutMs: 10_000,
      deadlineMarginMs: 1000,
      clientInfo: { name: 'mcpfed-router', version: 'test' },
    }),
  ];
  router = new Router({
    upstreams,
    credentials: new UpstreamCredentials({
      audience: routerResource,
      serviceTokens: () => tokens,
      serviceScopes: SCOPES,
      upstreamAuth: 'exchange',
      exchangeTokens: tokens,
    }),
    logger,
    metrics,
    routerMetrics: createRouterMetrics(metrics, upstreams),
    tracing: initTracing({ serviceName: 'router', logger }),
  });
  await router.start();
  http = await serveRouterHttp({
    router,
    host: '127.0.0.1',
    port: routerPort,
    verifier: createJwtVerifier({ issuer: issuerUrl, audience: routerResource, jwksUrl: `${issuerUrl}/jwks` }),
    originGuard: createOriginGuard({ allowedOrigins: [], allowedHosts: ['localhost', '127.0.0.1'] }),
    resourceMetadata: (resource) => ({ resource }),
    serverInfo: { name: 'mcpfed-router', version: 'test' },
    logger,
    metrics,
    scopeChallenge: 'http',
  });
}, 30_000);

afterAll(async () => {
  await http?.close(1000);
  await router?.close();
  await alpha?.stop();
  provider?.server.closeAllConnections();
  await new Promise<void>((resolve) => provider?.server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** A caller's token for the router's URL, as a client that followed RFC 8707 gets it. */
const callerToken = (scopes: readonly string[]) => issuer.mint({ subject: 'anna', scopes, audience: routerResource, ttlSeconds: 600 });

describe('the router exchanging tokens (ROUTER_UPSTREAM_AUTH=exchange)', () => {
  let client: Client;

  it('calls the upstream with an exchanged token: the caller as principal, the router as actor', async () => {
    const token = await callerToken(['alpha:read']);
    client = await connectClient(`${http.url}/mcp`, token);
    const result = await client.callTool({ name: 'alpha_get', arguments: { value: 'v' } });
    expect(result.structuredContent).toMatchObject({ upstream: 'alpha', tool: 'alpha_get', subject: 'anna' });
    const seen = alpha.lastPrincipal as Principal;
    expect(seen).toMatchObject({ id: 'anna', kind: 'user', actor: ROUTER_CLIENT, actors: [ROUTER_CLIENT], scopes: new Set(['alpha:read']) });
    // The token the upstream got is not the caller's: addressed to the upstream, never wider than the caller's.
    expect(seen.token).not.toBe(token);
    expect(decodeJwt(seen.token as string)).toMatchObject({ sub: 'anna', aud: alpha.url, act: { sub: ROUTER_CLIENT }, scope: 'alpha:read' });
    // A second call reuses the exchanged token.
    await client.callTool({ name: 'alpha_get', arguments: { value: 'w' } });
    expect((alpha.lastPrincipal as Principal).token).toBe(seen.token);
  });

  it('refuses at the upstream a caller token forwarded unchanged (audience = the router)', async () => {
    const token = await callerToken(['alpha:read']);
    const response = await fetch(alpha.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'alpha_get', arguments: {} } }),
    });
    expect(response.status).toBe(401);
  });

  it('challenges a call lacking a scope with 403 insufficient_scope naming it, before any exchange', async () => {
    const token = await callerToken(['alpha:read']);
    const before = alpha.seenOf('tools/call').length;
    const response = await fetch(`${http.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'alpha_write', arguments: {} } }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${http.url}/.well-known/oauth-protected-resource", error="insufficient_scope", scope="alpha:write", error_description="the token lacks scope alpha:write"`,
    );
    expect(alpha.seenOf('tools/call').length).toBe(before);
  });

  afterAll(async () => {
    await client?.close();
  });
});
