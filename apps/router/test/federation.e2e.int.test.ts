/**
 * Issue 6, end to end: the four domain servers and the router as real processes (each as `npm start` runs it),
 * the dev issuer with its token endpoint, and the MCP SDK client talking only to the router.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';
import { spawnFederation } from './fixtures/spawn-federation.ts';
import type { SpawnedFederation } from './fixtures/spawn-federation.ts';

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

let federation: SpawnedFederation;

function connect(scopes: readonly string[], subject?: string): Promise<Client> {
  return federation.connect(scopes, subject);
}

async function status(): Promise<{
  status: string;
  upstreams: Array<{ name: string; health: string; available: boolean; tools: number }>;
  collisions: unknown[];
}> {
  return (await (await fetch(`${federation.router.url}/status`)).json()) as never;
}

async function eventually(what: string, predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  federation = await spawnFederation({ name: 'e' });
}, 120_000);

afterAll(async () => {
  await federation?.close();
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
        arguments: {
          customer_id: customerId,
          lines: [{ sku, quantity: 2 }],
          payment_method: 'pm_card_visa',
          idempotency_key: idempotencyKey(),
          wait_ms: 20_000,
        },
      },
      undefined,
      { onprogress: () => undefined, timeout: 40_000 },
    )) as unknown as {
      isError?: boolean;
      structuredContent: { order: { id: string; status: string; total_amount: { amount: number; currency: string } }; done: boolean };
    };
    expect(placed.isError).toBeUndefined();
    expect(placed.structuredContent.done).toBe(true);
    expect(placed.structuredContent.order.status).toBe('confirmed');
    const orderId = placed.structuredContent.order.id;

    const resource = await admin.readResource({ uri: `order://${orderId}` });
    const read = JSON.parse((resource.contents[0] as { text: string }).text) as { order: Record<string, unknown>; history: Array<{ type: string }> };
    expect(read.order).toMatchObject({
      id: orderId,
      status: 'confirmed',
      customer_id: customerId,
      lines: [{ sku, quantity: 2, unit_price: { amount: 2599, currency: 'EUR' } }],
    });
    expect(read.history.map((event) => event.type)).toEqual(['order.confirmed', 'order.placed']);

    const prompt = await admin.getPrompt({ name: 'customer_support_brief', arguments: { customer_id: customerId } });
    expect(prompt.messages.length).toBeGreaterThan(0);
    expect(JSON.stringify(prompt.messages)).toContain(customerId);
  });

  it('isolates a stopped upstream: its tools fail fast with UPSTREAM_UNAVAILABLE, the others work, and it heals without a router restart', async () => {
    const admin = await connect(FEDERATION_SCOPES);
    await federation.servers.payment.stop(5000);
    const down = await expectToolError(admin, 'payment_search', {});
    expect(down).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, details: { upstream: 'payment' } });
    expect(typeof down.details?.['retry_after_ms']).toBe('number');
    expect((await expectToolError(admin, 'payment_search', {})).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(await expectToolOk<{ items: unknown[] }>(admin, 'customer_search', { query: 'Router Buyer' })).toMatchObject({ items: expect.any(Array) });
    expect((await status()).status).toBe('degraded');

    await federation.servers.payment.restart();
    await eventually(
      'payment to be available through the router',
      async () => (await status()).upstreams.find((u) => u.name === 'payment')?.available === true,
    );
    expect(await expectToolOk<{ items: unknown[] }>(admin, 'payment_search', {})).toMatchObject({ items: expect.any(Array) });
    expect((await status()).status).toBe('ok');
  });
});
