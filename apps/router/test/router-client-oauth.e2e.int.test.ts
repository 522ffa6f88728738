/**
 * An MCP client that knows only the router's URL gets in the standard way, with the SDK client's own OAuth support
 * (no pasted token): the router's 401 names its protected-resource metadata and the scopes to ask for; the client
 * reads the metadata, discovers the authorization server (an issuer under a path, as a Keycloak realm), registers
 * itself (RFC 7591), sends the person to the login page — real Chromium fills the form and lands on the client's
 * loopback callback with the code — and finishes the flow with PKCE and the router's resource indicator (RFC 8707).
 * With that token it lists tools and places an order through the router against the real four servers, and the
 * token is good at the router only.
 *
 * The stack: `createDevProvider` (oidc-provider) with a staff user, the router exchanging tokens
 * (`ROUTER_UPSTREAM_AUTH=exchange`) so each upstream sees a token for itself; the order server's checkout exchanges
 * the caller's token again for one per upstream (`ORDER_UPSTREAM_AUTH` default `exchange`), so every server accepts
 * tokens for its own resource only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { decodeJwt } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevIssuer } from '@mcpfed/auth';
import { createDevProvider } from '@mcpfed/auth/dev-provider';
import type { DevProvider } from '@mcpfed/auth/dev-provider';
import {
  createTestDatabase,
  expectToolOk,
  freePort,
  idempotencyKey,
  launchBrowser,
  randomKeyPrefix,
  runToCompletion,
  spawnServer,
  testServiceUrl,
} from '@mcpfed/testing';
import type { SpawnedServer, TestDatabase } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const DOMAINS = ['customer', 'order', 'product', 'payment'] as const;
type Domain = (typeof DOMAINS)[number];
const ROUTER_CLIENT = { id: 'router', secret: 'oauth-test-router-secret-0123' };
const ORDER_CLIENT = { id: 'order-server', secret: 'oauth-test-order-secret-0123' };
const ORDER_SERVICE_SCOPES = ['customer:read', 'customer:any', 'product:read', 'product:write', 'payment:read', 'payment:write', 'payment:refund'];
/** What the order server may add to a caller's scopes when it exchanges the caller's token for a checkout step. */
const ORDER_ACTOR_SCOPES = ['customer:read', 'product:read', 'product:write', 'payment:read', 'payment:write'];
/** Shop staff: unbound (no customer claim), reaches customers with customer:any; no payment refunds, no SQL, no admin. */
const STAFF = {
  subject: 'sam.staff',
  password: 'correct horse battery staple',
  scopes: ['customer:read', 'customer:write', 'customer:any', 'order:read', 'order:write', 'product:read', 'product:write', 'payment:read'],
};

let dir = '';
let provider: DevProvider | undefined;
let issuerUrl = '';
let routerResource = '';
const databases: Partial<Record<Domain, TestDatabase<unknown>>> = {};
const servers: Partial<Record<Domain, SpawnedServer>> = {};
let router: SpawnedServer | undefined;
let browser: Browser | undefined;
const clients: Client[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'router-client-oauth-'));
  const issuerPort = await freePort();
  issuerUrl = `http://127.0.0.1:${issuerPort}/realms/shop`;
  const routerPort = await freePort();
  routerResource = `http://127.0.0.1:${routerPort}/mcp`;
  const ports = Object.fromEntries(await Promise.all(DOMAINS.map(async (domain) => [domain, await freePort()] as const))) as Record<Domain, number>;
  const url = (domain: Domain) => `http://127.0.0.1:${ports[domain]}/mcp`;
  provider = createDevProvider({
    issuer: await loadOrCreateDevIssuer({ dir, issuerUrl }),
    resources: (resource) => resource.startsWith('http://127.0.0.1:'),
    scopes: FEDERATION_SCOPES,
    clients: [
      { id: ROUTER_CLIENT.id, secret: ROUTER_CLIENT.secret, scopes: FEDERATION_SCOPES, exchangeAudiences: [routerResource] },
      { id: ORDER_CLIENT.id, secret: ORDER_CLIENT.secret, scopes: ORDER_SERVICE_SCOPES, exchangeAudiences: [url('order')], actorScopes: ORDER_ACTOR_SCOPES },
    ],
    users: [STAFF],
  });
  await new Promise<void>((resolve) => provider?.server.listen(issuerPort, '127.0.0.1', resolve));

  const common = {
    HOST: '127.0.0.1',
    REDIS_URL: testServiceUrl('redisUrl'),
    AUTH_ISSUER: issuerUrl,
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '3000',
    DB_POOL_MAX: '3',
  };
  const prefix = (what: string) => randomKeyPrefix(`router-oauth-${what}`).replace(/:$/, '');
  for (const domain of DOMAINS) databases[domain] = await createTestDatabase<unknown>({ name: `rtoauth_${domain.slice(0, 3)}`, migrations: {} });
  const db = (domain: Domain) => (databases[domain] as TestDatabase<unknown>).url;
  const events = prefix('events');
  // Each server accepts tokens for its own URL only: the router and the order server exchange for each hop.
  const envs: Record<Domain, Record<string, string>> = {
    customer: { ...common, DATABASE_URL: db('customer'), AUTH_AUDIENCE: url('customer'), ORDER_EVENTS_PREFIX: events },
    product: { ...common, DATABASE_URL: db('product'), AUTH_AUDIENCE: url('product'), QUEUE_PREFIX: prefix('product') },
    payment: { ...common, DATABASE_URL: db('payment'), AUTH_AUDIENCE: url('payment'), QUEUE_PREFIX: prefix('payment') },
    order: {
      ...common,
      DATABASE_URL: db('order'),
      AUTH_AUDIENCE: url('order'),
      SERVICE_CLIENT_ID: ORDER_CLIENT.id,
      SERVICE_CLIENT_SECRET: ORDER_CLIENT.secret,
      QUEUE_PREFIX: prefix('order'),
      ORDER_EVENTS_PREFIX: events,
      CUSTOMER_MCP_URL: url('customer'),
      PRODUCT_MCP_URL: url('product'),
      PAYMENT_MCP_URL: url('payment'),
    },
  };
  await Promise.all(
    DOMAINS.map((domain) =>
      runToCompletion({ name: `router-oauth-${domain}-migrate`, args: [`apps/${domain}-server/src/main.ts`, 'migrate'], env: envs[domain], cwd: REPO_ROOT }),
    ),
  );
  const started = await Promise.allSettled(
    DOMAINS.map(async (domain) => {
      servers[domain] = await spawnServer({
        name: `router-oauth-${domain}`,
        args: [`apps/${domain}-server/src/main.ts`, 'serve'],
        env: envs[domain],
        cwd: REPO_ROOT,
        port: ports[domain],
      });
    }),
  );
  for (const result of started) if (result.status === 'rejected') throw result.reason;
  router = await spawnServer({
    name: 'router-oauth-router',
    args: ['apps/router/src/main.ts', 'serve'],
    env: {
      ...common,
      ROUTER_UPSTREAMS: JSON.stringify({ upstreams: DOMAINS.map((domain) => ({ name: domain, url: url(domain) })) }),
      ROUTER_UPSTREAM_AUTH: 'exchange',
      SERVICE_CLIENT_ID: ROUTER_CLIENT.id,
      SERVICE_CLIENT_SECRET: ROUTER_CLIENT.secret,
      ROUTER_PROBE_INTERVAL_MS: '200',
    },
    cwd: REPO_ROOT,
    port: routerPort,
  });
  const until = Date.now() + 30_000;
  for (;;) {
    const status = (await (await fetch(`${router.url}/status`)).json()) as { status: string };
    if (status.status === 'ok') break;
    if (Date.now() > until) throw new Error(`the router did not discover every upstream within 30 s: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  await browser?.close();
  await router?.stop(5000);
  await Promise.all(Object.values(servers).map((server) => server.stop(5000)));
  if (provider) {
    provider.server.closeAllConnections();
    await new Promise<void>((resolve) => provider?.server.close(() => resolve()));
  }
  await Promise.all(Object.values(databases).map((db) => db.drop()));
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

/** The client's loopback redirect URI (RFC 8252 §7.3): it catches the one redirect that carries the code. */
interface LoopbackCallback {
  readonly redirectUrl: string;
  /** The query of the first request to the callback path. */
  readonly received: Promise<URLSearchParams>;
  close(): Promise<void>;
}

async function startLoopbackCallback(): Promise<LoopbackCallback> {
  let deliver: (params: URLSearchParams) => void = () => undefined;
  const received = new Promise<URLSearchParams>((resolve) => (deliver = resolve));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    deliver(url.searchParams);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('You are signed in; return to your client.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    redirectUrl: `http://127.0.0.1:${port}/callback`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * What an MCP client application keeps for OAuth (in memory here): its registration, the PKCE verifier, the tokens,
 * and the authorization URL it would open in the person's browser.
 */
class InMemoryOAuthClient implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | undefined;
  registrations = 0;
  readonly expectedState = idempotencyKey();

  readonly redirectUrl: string;

  constructor(redirectUrl: string) {
    this.redirectUrl = redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'mcpfed OAuth test client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state(): string {
    return this.expectedState;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    this.registrations++;
    this.client = information;
  }

  tokens(): OAuthTokens | undefined {
    return this.saved;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    this.authorizationUrl = authorizationUrl;
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    return this.verifier;
  }
}

/** A person signs in on the provider's login page in Chromium; returns the query the loopback callback received. */
async function signInWithBrowser(authorizationUrl: URL, callback: LoopbackCallback, login: string, password: string): Promise<URLSearchParams> {
  const context = await (browser as Browser).newContext();
  try {
    const page = await context.newPage();
    await page.goto(authorizationUrl.href);
    await page.getByLabel('User').fill(login);
    await page.getByLabel('Password').fill(password);
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(callback.redirectUrl), { timeout: 20_000 }),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    return await callback.received;
  } finally {
    await context.close();
  }
}

describe('an MCP client that knows only the router URL', () => {
  it('is told by the 401 where the metadata is and which scopes to ask for', async () => {
    const response = await fetch(routerResource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '1' } },
      }),
    });
    expect(response.status).toBe(401);
    const origin = new URL(routerResource).origin;
    // customer:any is named too: no tool declares it, but staff need it to reach customers.
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource", scope="${FEDERATION_SCOPES.join(' ')}"`,
    );
    const metadata = (await (await fetch(`${origin}/.well-known/oauth-protected-resource`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ resource: routerResource, authorization_servers: [issuerUrl] });
  });

  it('registers, signs the person in through the browser, gets a token for the router, lists tools and places an order', async () => {
    const callback = await startLoopbackCallback();
    try {
      const oauth = new InMemoryOAuthClient(callback.redirectUrl);
      const first = new StreamableHTTPClientTransport(new URL(routerResource), { authProvider: oauth });
      const client = new Client({ name: 'router-oauth-test', version: '1.0.0' });
      // No token yet: the SDK reads the metadata, registers the client and hands over the authorization URL.
      await expect(client.connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
      expect(oauth.registrations).toBe(1);
      expect(oauth.client?.client_id).toEqual(expect.any(String));
      const authorizationUrl = oauth.authorizationUrl as URL;
      expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${issuerUrl}/auth`);
      expect(Object.fromEntries(authorizationUrl.searchParams)).toMatchObject({
        response_type: 'code',
        client_id: oauth.client?.client_id,
        redirect_uri: callback.redirectUrl,
        code_challenge_method: 'S256',
        resource: routerResource,
        state: oauth.expectedState,
        scope: FEDERATION_SCOPES.join(' '),
      });

      const query = await signInWithBrowser(authorizationUrl, callback, STAFF.subject, STAFF.password);
      expect(query.get('state')).toBe(oauth.expectedState);
      const code = query.get('code');
      expect(code).toEqual(expect.any(String));
      await first.finishAuth(code as string);
      await first.close();

      // The token is the person's, addressed to the router, with the scopes asked for that the person holds.
      const claims = decodeJwt(oauth.saved?.access_token as string);
      expect(claims).toMatchObject({ iss: issuerUrl, sub: STAFF.subject, aud: routerResource, client_id: oauth.client?.client_id });
      expect(String(claims['scope']).split(' ').sort()).toEqual([...STAFF.scopes].sort());
      expect(claims['customer_id']).toBeUndefined();

      await client.connect(new StreamableHTTPClientTransport(new URL(routerResource), { authProvider: oauth }));
      clients.push(client);
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      expect(tools).toEqual(expect.arrayContaining(['customer_create', 'product_create', 'inventory_adjust', 'order_place', 'payment_search']));
      // Not held, so not shown: refunds, SQL, admin.
      expect(tools).not.toContain('payment_refund');
      expect(tools.filter((name) => name.endsWith('_query_sql'))).toEqual([]);
      expect(tools).not.toContain('customer_anonymize');

      const created = await expectToolOk<{ customer: { id: string } }>(client, 'customer_create', {
        email: `${idempotencyKey()}@example.com`,
        first_name: 'Oauth',
        last_name: 'Buyer',
        addresses: [{ kind: 'shipping', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }],
      });
      const sku = `OAU-${idempotencyKey().slice(0, 8).toUpperCase()}`;
      await expectToolOk(client, 'product_create', { sku, name: 'OAuth test lamp', category: 'test-goods', price: { amount: 1999, currency: 'EUR' } });
      await expectToolOk(client, 'inventory_adjust', { sku, location: 'BER-1', delta: 3, reason: 'received', idempotency_key: idempotencyKey() });
      const placed = (await client.callTool(
        {
          name: 'order_place',
          arguments: {
            customer_id: created.customer.id,
            lines: [{ sku, quantity: 1 }],
            payment_method: 'pm_card_visa',
            idempotency_key: idempotencyKey(),
            wait_ms: 20_000,
          },
        },
        undefined,
        { onprogress: () => undefined, timeout: 40_000 },
      )) as unknown as {
        isError?: boolean;
        structuredContent: { done: boolean; order: { id: string; status: string; customer_id: string; total_amount: { amount: number; currency: string } } };
      };
      expect(placed.isError).toBeUndefined();
      expect(placed.structuredContent).toMatchObject({ done: true, order: { status: 'confirmed', customer_id: created.customer.id } });

      // The order row was written for that customer by this checkout.
      const { rows } = await (databases.order as TestDatabase<unknown>).pool.query('SELECT customer_id, status FROM orders WHERE id = $1', [
        placed.structuredContent.order.id,
      ]);
      expect(rows).toEqual([{ customer_id: created.customer.id, status: 'confirmed' }]);

      // The router's token is good at the router only: the order server refuses it.
      const direct = await fetch(`${servers.order?.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${oauth.saved?.access_token}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }),
      });
      expect(direct.status).toBe(401);
    } finally {
      await callback.close();
    }
  }, 120_000);

  it('keeps a person who gives a wrong password on the login page; no code reaches the client', async () => {
    const callback = await startLoopbackCallback();
    try {
      const oauth = new InMemoryOAuthClient(callback.redirectUrl);
      await expect(
        new Client({ name: 'router-oauth-test', version: '1.0.0' }).connect(
          new StreamableHTTPClientTransport(new URL(routerResource), { authProvider: oauth }),
        ),
      ).rejects.toBeInstanceOf(UnauthorizedError);
      const context = await (browser as Browser).newContext();
      try {
        const page = await context.newPage();
        await page.goto((oauth.authorizationUrl as URL).href);
        await page.getByLabel('User').fill(STAFF.subject);
        await page.getByLabel('Password').fill('wrong password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect(page.getByRole('alert').textContent()).resolves.toBe('Unknown user or wrong password.');
        expect(page.url().startsWith(callback.redirectUrl)).toBe(false);
      } finally {
        await context.close();
      }
      expect(oauth.saved).toBeUndefined();
    } finally {
      await callback.close();
    }
  }, 60_000);
});
