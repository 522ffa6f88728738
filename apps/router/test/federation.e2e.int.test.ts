/**
 * Issue 6, end to end: the four domain servers and the router as real processes (each as `npm start` runs it),
 * the dev issuer with its token endpoint, and the MCP SDK client talking only to the router.
 */
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevIssuerServer, loadOrCreateDevIssuer } from '@mcpfed/auth';
import type { DevIssuer } from '@mcpfed/auth';
import { createTestDatabase, expectToolError, expectToolOk, freePort, idempotencyKey, randomKeyPrefix, runToCompletion, spawnServer, testServiceUrl } from '@mcpfed/testing';
import type { SpawnedServer, TestDatabase } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const ROUTER_SECRET = 'test-only-router-secret';
const ORDER_SECRET = 'test-only-order-server-secret';
const ORDER_SERVICE_SCOPES = ['customer:read', 'product:read', 'product:write', 'payment:read', 'payment:write', 'payment:refund'];
/** What a support agent with `customer:read order:read` may call, across the federation. */
const SUPPORT_AGENT_TOOLS = [
  'customer_check_eligibility',
  'customer_get',
  'customer_search',
  'customer_timeline',
  'order_events',
  'order_get',
  'order_quote',
  'order_search',
  'order_summary',
  'order_workflow_get',
  'order_workflow_list',
];

let issuer: DevIssuer;
let issuerServer: Server;
const databases: Array<TestDatabase<unknown>> = [];
const servers: Record<string, SpawnedServer> = {};
let router: SpawnedServer;
const clients: Client[] = [];

async function connect(scopes: readonly string[], subject = 'e2e-user'): Promise<Client> {
  const token = await issuer.mint({ subject, scopes, audience: 'mcpfed', ttlSeconds: 3600 });
  const client = new Client({ name: 'federation-e2e', version: '1.0.0' });
  clients.push(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(`${router.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

async function status(): Promise<{ status: string; upstreams: Array<{ name: string; health: string; available: boolean; tools: number }>; collisions: unknown[] }> {
  return (await (await fetch(`${router.url}/status`)).json()) as never;
}

async function eventually(what: string, predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  const issuerPort = await freePort();
  const issuerUrl = `http://127.0.0.1:${issuerPort}`;
  issuer = await loadOrCreateDevIssuer({ dir: mkdtempSync(path.join(tmpdir(), 'mcpfed-router-e2e-')), issuerUrl });
  issuerServer = createDevIssuerServer(issuer, {
    scopesSupported: FEDERATION_SCOPES,
    clients: [
      { id: 'router', secret: ROUTER_SECRET, scopes: FEDERATION_SCOPES },
      { id: 'order-server', secret: ORDER_SECRET, scopes: ORDER_SERVICE_SCOPES },
    ],
  });
  await new Promise<void>((resolve) => issuerServer.listen(issuerPort, '127.0.0.1', resolve));
  const common = {
    HOST: '127.0.0.1',
    REDIS_URL: testServiceUrl('redisUrl'),
    AUTH_ISSUER: issuerUrl,
    AUTH_AUDIENCE: 'mcpfed',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_POINTS: '1000000000',
    SHUTDOWN_TIMEOUT_MS: '3000',
  };
  const database = async (name: string): Promise<string> => {
    const db = await createTestDatabase<unknown>({ name: `rte_${name}`, migrations: {} });
    databases.push(db);
    return db.url;
  };
  const events = randomKeyPrefix('router-e2e-events').replace(/:$/, '');
  const envs: Record<string, Record<string, string>> = {
    customer: { ...common, DATABASE_URL: await database('cus'), ORDER_EVENTS_PREFIX: events },
    product: { ...common, DATABASE_URL: await database('prd'), QUEUE_PREFIX: randomKeyPrefix('router-e2e-product').replace(/:$/, '') },
    payment: { ...common, DATABASE_URL: await database('pay'), QUEUE_PREFIX: randomKeyPrefix('router-e2e-payment').replace(/:$/, '') },
  };
  await Promise.all(
    Object.entries(envs).map(([name, env]) => runToCompletion({ name: `router-e2e-${name}-migrate`, args: [`apps/${name}-server/src/main.ts`, 'migrate'], env, cwd: REPO_ROOT })),
  );
  const serve = async (name: string, env: Record<string, string>) => {
    servers[name] = await spawnServer({ name: `router-e2e-${name}`, args: [`apps/${name}-server/src/main.ts`, 'serve'], env, cwd: REPO_ROOT });
  };
  await Promise.all(Object.entries(envs).map(([name, env]) => serve(name, env)));
  const orderEnv = {
    ...common,
    DATABASE_URL: await database('ord'),
    CUSTOMER_MCP_URL: `${servers['customer']?.url}/mcp`,
    PRODUCT_MCP_URL: `${servers['product']?.url}/mcp`,
    PAYMENT_MCP_URL: `${servers['payment']?.url}/mcp`,
    SERVICE_CLIENT_SECRET: ORDER_SECRET,
    QUEUE_PREFIX: randomKeyPrefix('router-e2e-order').replace(/:$/, ''),
    ORDER_EVENTS_PREFIX: events,
  };
  await runToCompletion({ name: 'router-e2e-order-migrate', args: ['apps/order-server/src/main.ts', 'migrate'], env: orderEnv, cwd: REPO_ROOT });
  await serve('order', orderEnv);
  const upstreams = ['customer', 'order', 'product', 'payment'].map((name) => ({
    name,
    url: `${servers[name]?.url}/mcp`,
    ...(name === 'order' ? { tool_timeout_ms: { order_place: 35_000 } } : {}),
  }));
  router = await spawnServer({
    name: 'router-e2e-router',
    args: ['apps/router/src/main.ts', 'serve'],
    env: { ...common, ROUTER_UPSTREAMS: JSON.stringify({ upstreams }), SERVICE_CLIENT_SECRET: ROUTER_SECRET, ROUTER_PROBE_INTERVAL_MS: '200' },
    cwd: REPO_ROOT,
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  await router?.stop(5000);
  await Promise.all(Object.values(servers).map((server) => server.stop(5000)));
  await new Promise<void>((resolve) => (issuerServer ? issuerServer.close(() => resolve()) : resolve()));
  await Promise.all(databases.map((db) => db.drop()));
}, 60_000);

describe('the federation through the router', () => {
  it('discovers all four servers without collisions', async () => {
    const current = await status();
    expect(current.status).toBe('ok');
    expect(current.collisions).toEqual([]);
    expect(current.upstreams.map((u) => [u.name, u.health])).toEqual([
      ['customer', 'up'],
      ['order', 'up'],
      ['product', 'up'],
      ['payment', 'up'],
    ]);
  });

  it('shows a support agent with customer:read order:read exactly the tools those scopes allow', async () => {
    const agent = await connect(['customer:read', 'order:read'], 'support-agent');
    expect((await agent.listTools()).tools.map((tool) => tool.name).sort()).toEqual(SUPPORT_AGENT_TOOLS);
    expect((await expectToolError(agent, 'order_place', {})).code).toBe('FORBIDDEN');
  });

  it('places an order, reads order://{id} and gets a prompt, all through the one endpoint', async () => {
    const admin = await connect(FEDERATION_SCOPES);
    const created = await expectToolOk<{ customer: { id: string } }>(admin, 'customer_create', {
      email: `${idempotencyKey()}@example.com`,
      first_name: 'Router',
      last_name: 'Buyer',
      addresses: [{ kind: 'shipping', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }],
    });
    const customerId = created.customer.id;
    const sku = `RTE-${idempotencyKey().slice(0, 8).toUpperCase()}`;
    await expectToolOk(admin, 'product_create', { sku, name: 'Router test lamp', category: 'test-goods', price: { amount: 2599, currency: 'EUR' } });
    await expectToolOk(admin, 'inventory_adjust', { sku, location: 'BER-1', delta: 5, reason: 'received', idempotency_key: idempotencyKey() });

    const placed = (await admin.callTool(
      {
        name: 'order_place',
        arguments: { customer_id: customerId, lines: [{ sku, quantity: 2 }], payment_method: 'pm_card_visa', idempotency_key: idempotencyKey(), wait_ms: 20_000 },
      },
      undefined,
      { onprogress: () => undefined, timeout: 40_000 },
    )) as unknown as { isError?: boolean; structuredContent: { order: { id: string; status: string; total_amount: { amount: number; currency: string } }; done: boolean } };
    expect(placed.isError).toBeUndefined();
    expect(placed.structuredContent.done).toBe(true);
    expect(placed.structuredContent.order.status).toBe('confirmed');
    const orderId = placed.structuredContent.order.id;

    const resource = await admin.readResource({ uri: `order://${orderId}` });
    const read = JSON.parse((resource.contents[0] as { text: string }).text) as { order: Record<string, unknown>; history: Array<{ type: string }> };
    expect(read.order).toMatchObject({ id: orderId, status: 'confirmed', customer_id: customerId, lines: [{ sku, quantity: 2, unit_price: { amount: 2599, currency: 'EUR' } }] });
    expect(read.history.map((event) => event.type)).toEqual(['order.confirmed', 'order.placed']);

    const prompt = await admin.getPrompt({ name: 'customer_support_brief', arguments: { customer_id: customerId } });
    expect(prompt.messages.length).toBeGreaterThan(0);
    expect(JSON.stringify(prompt.messages)).toContain(customerId);
  });

  it('isolates a stopped upstream: its tools fail fast with UPSTREAM_UNAVAILABLE, the others work, and it heals without a router restart', async () => {
    const admin = await connect(FEDERATION_SCOPES);
    await servers['payment']?.stop(5000);
    const down = await expectToolError(admin, 'payment_search', {});
    expect(down).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, details: { upstream: 'payment' } });
    expect(typeof down.details?.['retry_after_ms']).toBe('number');
    expect((await expectToolError(admin, 'payment_search', {})).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(await expectToolOk<{ items: unknown[] }>(admin, 'customer_search', { query: 'Router Buyer' })).toMatchObject({ items: expect.any(Array) });
    expect((await status()).status).toBe('degraded');

    await servers['payment']?.restart();
    await eventually('payment to be available through the router', async () => (await status()).upstreams.find((u) => u.name === 'payment')?.available === true);
    expect(await expectToolOk<{ items: unknown[] }>(admin, 'payment_search', {})).toMatchObject({ items: expect.any(Array) });
    expect((await status()).status).toBe('ok');
  });
});
