import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE, createDevProvider } from '../src/dev-provider/index.ts';
import type { DevProvider } from '../src/dev-provider/index.ts';
import { createClientCredentialsTokenSource, createJwtVerifier, discoverIssuer, loadOrCreateDevIssuer } from '../src/index.ts';

const ROUTER = 'http://127.0.0.1:18080/mcp';
const ORDER = 'http://127.0.0.1:18082/mcp';
const PAYMENT = 'http://127.0.0.1:18084/mcp';
const SCOPES = ['customer:read', 'order:read', 'order:write', 'payment:write'];
const ROUTER_SECRET = 'router-dev-secret-0123456789';
const ORDER_SECRET = 'order-dev-secret-0123456789';

let dir: string;
let dev: DevProvider;
let issuerUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpfed-dev-provider-'));
  // The issuer has a path, as Keycloak realms and Auth0 tenants do: every URL must be derived from discovery.
  const probe = (await import('node:http')).createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  issuerUrl = `http://127.0.0.1:${port}/realms/dev`;
  dev = createDevProvider({
    issuer: await loadOrCreateDevIssuer({ dir, issuerUrl }),
    resources: [ROUTER, ORDER, PAYMENT],
    scopes: SCOPES,
    clients: [
      { id: 'router', secret: ROUTER_SECRET, scopes: SCOPES, exchangeAudiences: [ROUTER] },
      { id: 'order-server', secret: ORDER_SECRET, scopes: ['payment:write'], exchangeAudiences: [ORDER], actorScopes: ['payment:write'] },
    ],
    users: [{ subject: 'anna', password: 'mcpfed-dev', scopes: ['customer:read', 'order:read', 'order:write'], claims: { customer_id: 'cus_anna' } }],
  });
  await new Promise<void>((resolve) => dev.server.listen(port, '127.0.0.1', resolve));
});

afterAll(async () => {
  dev.server.closeAllConnections();
  await new Promise<void>((resolve) => dev.server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const verifierFor = (audience: string) => createJwtVerifier({ issuer: issuerUrl, audience, jwksUrl: `${issuerUrl}/jwks` });

async function clientFor(clientId: string, secret: string): Promise<oauth.Configuration> {
  return oauth.discovery(new URL(issuerUrl), clientId, secret, oauth.ClientSecretBasic(secret), { execute: [oauth.allowInsecureRequests] });
}

describe('the oidc-provider dev issuer', () => {
  it('is found by discovery under its path', async () => {
    expect(await discoverIssuer({ issuer: issuerUrl, needsTokenEndpoint: true })).toEqual({
      issuer: issuerUrl,
      jwksUrl: `${issuerUrl}/jwks`,
      tokenUrl: `${issuerUrl}/token`,
      source: `${issuerUrl}/.well-known/openid-configuration`,
    });
  });

  it('issues client-credentials JWTs for the requested resource only', async () => {
    const tokens = createClientCredentialsTokenSource({
      issuer: issuerUrl,
      tokenUrl: `${issuerUrl}/token`,
      clientId: 'router',
      clientSecret: ROUTER_SECRET,
      scopes: ['customer:read', 'order:read'],
    });
    const token = await tokens.token({ audience: ORDER });
    expect(await verifierFor(ORDER).verify(token)).toMatchObject({ subject: 'router', kind: 'service', scopes: new Set(['customer:read', 'order:read']) });
    await expect(verifierFor(PAYMENT).verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'token audience mismatch' });
    await expect(tokens.token({ audience: 'http://evil.example/mcp' })).rejects.toMatchObject({
      code: 'INTERNAL',
      details: { status: 400, oauth_error: 'invalid_target' },
    });
  });

  it('logs a registered public client in with authorization code + PKCE and issues a token for the resource', async () => {
    const token = await loginAs('anna', 'mcpfed-dev', ROUTER, 'customer:read order:write payment:write');
    const claims = decodeJwt(token);
    // payment:write is not the user's to give: the client gets what it asked for within what she holds.
    expect(claims).toMatchObject({ sub: 'anna', aud: ROUTER, scope: 'customer:read order:write', customer_id: 'cus_anna', iss: issuerUrl });
    expect(await verifierFor(ROUTER).verify(token)).toMatchObject({ subject: 'anna', kind: 'user' });
  });

  it('refuses a wrong password on the login page', async () => {
    await expect(loginAs('anna', 'not-her-password', ROUTER, 'customer:read')).rejects.toThrow('login refused: 401');
  });

  it('exchanges a caller token for another resource, nesting act and never widening scope', async () => {
    const callerToken = await loginAs('anna', 'mcpfed-dev', ROUTER, 'customer:read order:read order:write');
    const router = await clientFor('router', ROUTER_SECRET);
    const exchange = (config: oauth.Configuration, subjectToken: string, resource: string, scope?: string) =>
      oauth.genericGrantRequest(config, TOKEN_EXCHANGE_GRANT_TYPE, {
        subject_token: subjectToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
        resource,
        ...(scope === undefined ? {} : { scope }),
      });
    const forOrder = await exchange(router, callerToken, ORDER);
    expect(forOrder.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    expect(decodeJwt(forOrder.access_token)).toMatchObject({
      sub: 'anna',
      aud: ORDER,
      scope: 'customer:read order:read order:write',
      act: { sub: 'router' },
      customer_id: 'cus_anna',
      client_id: 'router',
    });
    expect(decodeJwt(forOrder.access_token).exp).toBeLessThanOrEqual(decodeJwt(callerToken).exp as number);

    // The order server exchanges what the router sent it: the chain of actors nests.
    const order = await clientFor('order-server', ORDER_SECRET);
    const forPayment = await exchange(order, forOrder.access_token, PAYMENT, 'order:write');
    expect(decodeJwt(forPayment.access_token)).toMatchObject({
      sub: 'anna',
      aud: PAYMENT,
      scope: 'order:write',
      act: { sub: 'order-server', act: { sub: 'router' } },
    });
    // The resource servers see the caller as the principal and the services as its actors.
    expect(await verifierFor(ORDER).verify(forOrder.access_token)).toMatchObject({ id: 'anna', kind: 'user', actor: 'router', actors: ['router'] });
    expect(await verifierFor(PAYMENT).verify(forPayment.access_token)).toMatchObject({
      id: 'anna',
      actor: 'order-server',
      actors: ['order-server', 'router'],
      scopes: new Set(['order:write']),
    });
    // The caller's own token names no actor, and is refused where it was not addressed (no passthrough).
    expect((await verifierFor(ROUTER).verify(callerToken)).actor).toBeUndefined();
    await expect(verifierFor(ORDER).verify(callerToken)).rejects.toMatchObject({ message: 'token audience mismatch' });

    // The order server's actor scope joins the caller's where it acts for it (anna holds no payment:write herself)...
    const withActorScope = await exchange(order, forOrder.access_token, PAYMENT);
    expect(decodeJwt(withActorScope.access_token)).toMatchObject({
      sub: 'anna',
      scope: 'customer:read order:read order:write payment:write',
      customer_id: 'cus_anna',
    });
    // ...but never beyond the subject token and the client's actor scopes; only tokens presented to the exchanging
    // client; only known resources.
    await expect(exchange(router, callerToken, ORDER, 'payment:write')).rejects.toMatchObject({ error: 'invalid_scope' });
    await expect(exchange(order, forOrder.access_token, PAYMENT, 'order:write admin')).rejects.toMatchObject({ error: 'invalid_scope' });
    await expect(exchange(order, callerToken, PAYMENT)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(exchange(router, callerToken, 'http://evil.example/mcp')).rejects.toMatchObject({ error: 'invalid_target' });
    await expect(exchange(router, `${callerToken.slice(0, -4)}AAAA`, ORDER)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('exchanges through the service token source, cached per caller token and audience', async () => {
    const callerToken = await loginAs('anna', 'mcpfed-dev', ROUTER, 'customer:read order:read');
    const other = await loginAs('anna', 'mcpfed-dev', ROUTER, 'order:read');
    const tokens = createClientCredentialsTokenSource({
      issuer: issuerUrl,
      tokenUrl: `${issuerUrl}/token`,
      clientId: 'router',
      clientSecret: ROUTER_SECRET,
      scopes: SCOPES,
    });
    const first = await tokens.token({ audience: ORDER, subjectToken: callerToken });
    expect(await verifierFor(ORDER).verify(first)).toMatchObject({ id: 'anna', actor: 'router', scopes: new Set(['customer:read', 'order:read']) });
    expect(await tokens.token({ audience: ORDER, subjectToken: callerToken })).toBe(first);
    const forPayment = await tokens.token({ audience: PAYMENT, subjectToken: callerToken });
    expect(decodeJwt(forPayment).aud).toBe(PAYMENT);
    const narrower = await tokens.token({ audience: ORDER, subjectToken: other });
    expect(narrower).not.toBe(first);
    expect((await verifierFor(ORDER).verify(narrower)).scopes).toEqual(new Set(['order:read']));
    // A token the router was not sent (addressed to the order server) is not the router's to exchange.
    await expect(tokens.token({ audience: PAYMENT, subjectToken: first })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      details: { upstream: 'token-endpoint' },
    });
  });
});

describe('createDevProvider clients', () => {
  it('registers a public client (no secret) for the authorization code grant only, and refuses one without redirect URIs or with token exchange', async () => {
    const issuer = await loadOrCreateDevIssuer({ dir, issuerUrl: 'http://127.0.0.1:9/other' });
    const options = { issuer, resources: [ROUTER], scopes: SCOPES };
    expect(() => createDevProvider({ ...options, clients: [{ id: 'cli', scopes: SCOPES }] })).toThrow(
      'createDevProvider: client cli: a public client (no secret) needs redirectUris',
    );
    expect(() =>
      createDevProvider({ ...options, clients: [{ id: 'cli', scopes: SCOPES, redirectUris: ['http://127.0.0.1/cb'], exchangeAudiences: [ROUTER] }] }),
    ).toThrow('createDevProvider: client cli: a public client (no secret) cannot use token exchange');
    const { provider } = createDevProvider({ ...options, clients: [{ id: 'cli', scopes: SCOPES, redirectUris: ['http://127.0.0.1/cb'] }] });
    const client = await provider.Client.find('cli');
    expect(client?.metadata()).toMatchObject({
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/cb'],
    });
  });
});

/** Registers a public client (RFC 7591), then runs the browser's part of authorization code + PKCE with fetch. */
async function loginAs(login: string, password: string, resource: string, scope: string): Promise<string> {
  const redirectUri = 'http://127.0.0.1:9/callback';
  const registration = (await (
    await fetch(`${issuerUrl}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        client_name: 'test agent',
      }),
    })
  ).json()) as { client_id: string };
  const config = await oauth.discovery(new URL(issuerUrl), registration.client_id, undefined, oauth.None(), { execute: [oauth.allowInsecureRequests] });
  const verifier = oauth.randomPKCECodeVerifier();
  const state = oauth.randomState();
  const authorize = oauth.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    resource,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const cookies = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) cookies.set(name.trim(), value.join('='));
    }
    return response;
  };
  const toLogin = await go(authorize.href);
  const loginUrl = new URL(toLogin.headers.get('location') ?? '', issuerUrl).href;
  const page = await go(loginUrl);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain(registration.client_id);
  const submitted = await go(loginUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login, password }).toString(),
  });
  if (submitted.status !== 303 && submitted.status !== 302) throw new Error(`login refused: ${submitted.status}`);
  let next = new URL(submitted.headers.get('location') ?? '', issuerUrl).href;
  for (let hop = 0; hop < 5 && !next.startsWith(redirectUri); hop++) {
    const response = await go(next);
    next = new URL(response.headers.get('location') ?? '', issuerUrl).href;
  }
  const tokens = await oauth.authorizationCodeGrant(config, new URL(next), { pkceCodeVerifier: verifier, expectedState: state }, { resource });
  return tokens.access_token;
}
