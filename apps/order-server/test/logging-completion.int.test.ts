/**
 * What MCP 2025-11-25 clients expect beyond tools: serverInfo icons and description, the logging utility (level per
 * caller or per request, messages on the call's own stream) and completion of prompt and template arguments scoped to
 * what the caller may read, on every server and through the router. Real processes, real SDK clients over HTTP.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { EmptyResultSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productCreate } from '@mcpfed/contract-product';
import { sql } from '@mcpfed/db';
import { idempotencyKey } from '@mcpfed/testing';
import { ALL_TEST_SCOPES, startFederationStack } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';

let stack: FederationStack;
let alice: string;
let bob: string;
/** Alice's order, placed by a client bound to her. */
let aliceOrder: { id: string; order_number: number };
let bobOrder: { id: string; order_number: number };
const SKU_PREFIX = `LC${idempotencyKey()
  .slice(0, 6)
  .toUpperCase()
  .replace(/[^A-Z0-9]/g, 'X')}`;

type Message = LoggingMessageNotification['params'];

async function routerClient(scopes: readonly string[], subject: string, customerId?: string): Promise<Client> {
  const bearer = await stack.token({ audience: 'router', scopes, subject, ...(customerId === undefined ? {} : { customerId }) });
  const client = new Client({ name: 'router-utilities-test', version: '0.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.router?.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } }),
  );
  return client;
}

function collectMessages(client: Client): Message[] {
  const messages: Message[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void messages.push(notification.params));
  return messages;
}

function placeArgs(customerId: string, sku: string) {
  return { customer_id: customerId, lines: [{ sku, quantity: 1 }], payment_method: 'pm_card_visa', idempotency_key: idempotencyKey(), wait_ms: 20_000 };
}

async function place(client: Client, customerId: string, meta?: Record<string, unknown>): Promise<{ id: string; order_number: number; status: string }> {
  const result = await client.callTool(
    { name: 'order_place', arguments: placeArgs(customerId, `${SKU_PREFIX}-A`), ...(meta ? { _meta: meta } : {}) },
    undefined,
    { timeout: 40_000 },
  );
  expect(result.isError).toBeUndefined();
  return (result.structuredContent as { order: { id: string; order_number: number; status: string } }).order;
}

async function errorOf(promise: Promise<unknown>): Promise<{ code?: number; message: string; data?: unknown }> {
  return promise.then(
    () => {
      throw new Error('expected a JSON-RPC error');
    },
    (error: unknown) => error as { code?: number; message: string; data?: unknown },
  );
}

beforeAll(async () => {
  stack = await startFederationStack({ label: 'utilities', withRouter: true });
  alice = await stack.createCustomer();
  bob = await stack.createCustomer();
  await stack.createProduct(`${SKU_PREFIX}-A`, 1000, 50);
  const aliceClient = await stack.mcp('order', ['order:write', 'order:read'], 'alice', alice);
  aliceOrder = await place(aliceClient, alice);
  const bobClient = await stack.mcp('order', ['order:write', 'order:read'], 'bob', bob);
  bobOrder = await place(bobClient, bob);
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe('serverInfo', () => {
  it('has a description and an inline icon on every server and the router', async () => {
    const clients = [
      ...(await Promise.all((['customer', 'order', 'product', 'payment'] as const).map((name) => stack.mcp(name, ['customer:read'])))),
      await routerClient(['customer:read'], 'info-reader'),
    ];
    const infos = clients.map((client) => client.getServerVersion());
    expect(infos.map((info) => info?.name)).toEqual(['customer-server', 'order-server', 'product-server', 'payment-server', 'mcpfed-router']);
    for (const [index, info] of infos.entries()) {
      expect(info?.description?.length ?? 0).toBeGreaterThan(40);
      expect(info?.icons).toHaveLength(1);
      const icon = info?.icons?.[0];
      expect(icon).toMatchObject({ mimeType: 'image/svg+xml', sizes: ['any'] });
      expect(icon?.src.startsWith('data:image/svg+xml;base64,')).toBe(true);
      expect(Buffer.from(icon?.src.split(',')[1] ?? '', 'base64').toString()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^]*<\/svg>$/);
      expect(clients[index]?.getServerCapabilities()?.logging).toEqual({});
    }
    expect(clients.map((client) => client.getServerCapabilities()?.completions)).toEqual([{}, {}, {}, {}, {}]);
  });
});

describe('logging', () => {
  it('sends the checkout messages at or above the level the caller set, on the order_place call stream', async () => {
    const client = await stack.mcp('order', ['order:write'], 'alice-info', alice);
    const messages = collectMessages(client);
    await client.setLoggingLevel('info');
    const order = await place(client, alice);
    expect(order.status).toBe('confirmed');
    expect(messages.length).toBeGreaterThanOrEqual(3);
    expect(messages.every((m) => m.logger === 'order-server' && ['info', 'notice'].includes(m.level))).toBe(true);
    expect(messages[0]).toMatchObject({ level: 'info', data: { message: 'Waiting for the checkout to finish', order_id: order.id } });
    expect(messages.filter((m) => (m.data as { message: string }).message === 'Checkout step done').length).toBeGreaterThan(0);
    expect(messages.at(-1)).toEqual({ level: 'notice', logger: 'order-server', data: { message: 'Checkout completed', order_id: order.id } });
    // No personal data: not the customer, not its address, not the payment method.
    const wire = JSON.stringify(messages);
    for (const secret of [alice, 'Hauptstr', '@example.com', 'pm_card_visa']) expect(wire).not.toContain(secret);
  });

  it('filters by the level: notice leaves only the outcome; a caller who set no level gets nothing', async () => {
    const noticeClient = await stack.mcp('order', ['order:write'], 'alice-notice', alice);
    const notices = collectMessages(noticeClient);
    await noticeClient.setLoggingLevel('notice');
    const silentClient = await stack.mcp('order', ['order:write'], 'alice-silent', alice);
    const silent = collectMessages(silentClient);
    const [noticed] = await Promise.all([place(noticeClient, alice), place(silentClient, alice)]);
    expect(notices).toEqual([{ level: 'notice', logger: 'order-server', data: { message: 'Checkout completed', order_id: noticed.id } }]);
    expect(silent).toEqual([]);
  });

  it('takes a per-request level from _meta (MCP 2026-07-28) over the one set, and refuses one that is not a level', async () => {
    const client = await stack.mcp('order', ['order:write'], 'alice-meta', alice);
    const messages = collectMessages(client);
    await client.setLoggingLevel('emergency');
    const order = await place(client, alice, { 'io.modelcontextprotocol/logLevel': 'notice' });
    expect(messages).toEqual([{ level: 'notice', logger: 'order-server', data: { message: 'Checkout completed', order_id: order.id } }]);
    const refused = await errorOf(
      client.callTool({ name: 'order_place', arguments: placeArgs(alice, `${SKU_PREFIX}-A`), _meta: { 'io.modelcontextprotocol/logLevel': 'loud' } }),
    );
    expect(refused.code).toBe(-32602);
    const badLevel = await errorOf(client.request({ method: 'logging/setLevel', params: { level: 'loud' as never } }, EmptyResultSchema));
    expect(badLevel.code).toBe(-32602);
  });

  it('relays the messages through the router, with the level set at the router', async () => {
    const client = await routerClient(['order:write'], 'alice-router', alice);
    const messages = collectMessages(client);
    await client.setLoggingLevel('notice');
    const order = await place(client, alice);
    expect(messages).toEqual([{ level: 'notice', logger: 'order-server', data: { message: 'Checkout completed', order_id: order.id } }]);
    const badLevel = await errorOf(client.request({ method: 'logging/setLevel', params: { level: 'verbose' as never } }, EmptyResultSchema));
    expect(badLevel.code).toBe(-32602);
  });
});

describe('completion', () => {
  const customerPrompt = { type: 'ref/prompt' as const, name: 'customer_support_brief' };
  const orderTemplate = { type: 'ref/resource' as const, uri: 'order://{id}' };
  const productTemplate = { type: 'ref/resource' as const, uri: 'product://{sku}' };

  it('completes customer ids for staff, only its own for a bound customer, and refuses a caller without the read scope', async () => {
    const staff = await stack.mcp('customer', ['customer:read', 'customer:any']);
    const all = await staff.complete({ ref: customerPrompt, argument: { name: 'customer_id', value: 'cus_' } });
    expect(all.completion.values).toEqual(expect.arrayContaining([alice, bob]));
    expect(all.completion.values).toEqual([...all.completion.values].sort());
    expect(all.completion).toMatchObject({ total: all.completion.values.length, hasMore: false });
    const exact = await staff.complete({
      ref: { type: 'ref/resource', uri: 'customer://{id}' },
      argument: { name: 'id', value: alice.slice(0, 20).toUpperCase() },
    });
    expect(exact.completion.values).toContain(alice);

    const bound = await stack.mcp('customer', ['customer:read'], 'alice', alice);
    expect((await bound.complete({ ref: customerPrompt, argument: { name: 'customer_id', value: 'cus_' } })).completion).toEqual({
      values: [alice],
      total: 1,
      hasMore: false,
    });
    expect((await bound.complete({ ref: customerPrompt, argument: { name: 'customer_id', value: bob.slice(0, 24) } })).completion.values).toEqual(
      alice.startsWith(bob.slice(0, 24)) ? [alice] : [],
    );

    const unbound = await stack.mcp('customer', ['customer:read'], 'nobody');
    expect((await unbound.complete({ ref: customerPrompt, argument: { name: 'customer_id', value: 'cus_' } })).completion.values).toEqual([]);
    const noScope = await stack.mcp('customer', ['order:read', 'customer:any']);
    const refused = await errorOf(noScope.complete({ ref: customerPrompt, argument: { name: 'customer_id', value: 'cus_' } }));
    expect(refused.message).toContain('customer:read');
    expect((refused.data as { code?: string }).code).toBe('FORBIDDEN');
  });

  it('answers hostile values with nothing, and an unknown prompt with VALIDATION_FAILED', async () => {
    const staff = await stack.mcp('customer', ['customer:read', 'customer:any']);
    for (const value of ['%', 'cus\\_', "cus_' OR 1=1 --", '_'.repeat(31), 'x'.repeat(200)]) {
      expect((await staff.complete({ ref: customerPrompt, argument: { name: 'customer_id', value } })).completion.values).toEqual([]);
    }
    const unknown = await errorOf(staff.complete({ ref: { type: 'ref/prompt', name: 'no_such_prompt' }, argument: { name: 'x', value: '' } }));
    expect((unknown.data as { code?: string }).code).toBe('VALIDATION_FAILED');
  });

  it('completes order ids and order numbers within the caller reach', async () => {
    const staff = await stack.mcp('order', ['order:read', 'customer:any']);
    const ids = (await staff.complete({ ref: orderTemplate, argument: { name: 'id', value: 'ord_' } })).completion.values;
    expect(ids).toEqual(expect.arrayContaining([aliceOrder.id, bobOrder.id]));
    const byNumber = await staff.complete({
      ref: { type: 'ref/prompt', name: 'order_support_triage' },
      argument: { name: 'order_id', value: String(bobOrder.order_number) },
    });
    expect(byNumber.completion.values[0]).toBe(bobOrder.id);

    const bound = await stack.mcp('order', ['order:read'], 'alice', alice);
    const own = (await bound.complete({ ref: orderTemplate, argument: { name: 'id', value: 'ord_' } })).completion.values;
    expect(own).toContain(aliceOrder.id);
    expect(own).not.toContain(bobOrder.id);
    expect((await bound.complete({ ref: orderTemplate, argument: { name: 'id', value: String(bobOrder.order_number) } })).completion.values).toEqual([]);
    expect((await bound.complete({ ref: orderTemplate, argument: { name: 'id', value: bobOrder.id } })).completion.values).toEqual([]);
  });

  it('completes payment ids within the caller reach', async () => {
    const paymentOf = async (orderId: string) =>
      (await sql<{ id: string }>`SELECT id FROM payments WHERE order_ref = ${orderId}`.execute(stack.paymentDb.db)).rows.map((row) => row.id);
    const [alicePayment] = await paymentOf(aliceOrder.id);
    const [bobPayment] = await paymentOf(bobOrder.id);
    const review = { type: 'ref/prompt' as const, name: 'payment_refund_review' };
    const staff = await stack.mcp('payment', ['payment:read', 'customer:any']);
    expect((await staff.complete({ ref: review, argument: { name: 'payment_id', value: 'pay_' } })).completion.values).toEqual(
      expect.arrayContaining([alicePayment, bobPayment]),
    );
    const bound = await stack.mcp('payment', ['payment:read'], 'alice', alice);
    const own = (await bound.complete({ ref: { type: 'ref/resource', uri: 'payment://{id}' }, argument: { name: 'id', value: 'pay_' } })).completion.values;
    expect(own).toContain(alicePayment);
    expect(own).not.toContain(bobPayment);
    const noScope = await stack.mcp('payment', ['order:read', 'customer:any']);
    expect(((await errorOf(noScope.complete({ ref: review, argument: { name: 'payment_id', value: 'pay_' } }))).data as { code?: string }).code).toBe(
      'FORBIDDEN',
    );
  });

  it('completes SKUs, capped at 100 with hasMore', async () => {
    await Promise.all(
      Array.from({ length: 101 }, (_, i) =>
        stack.client('product').call(productCreate, {
          sku: `${SKU_PREFIX}-B${String(i).padStart(3, '0')}`,
          name: `Completion product ${i}`,
          category: 'test-goods',
          price: { amount: 100, currency: 'EUR' },
        }),
      ),
    );
    const reader = await stack.mcp('product', ['product:read']);
    const many = await reader.complete({ ref: productTemplate, argument: { name: 'sku', value: `${SKU_PREFIX.toLowerCase()}-b` } });
    expect(many.completion.values).toHaveLength(100);
    expect(many.completion.values[0]).toBe(`${SKU_PREFIX}-B000`);
    expect(many.completion.values[99]).toBe(`${SKU_PREFIX}-B099`);
    expect(many.completion.hasMore).toBe(true);
    expect(many.completion.total).toBeUndefined();
    const few = await reader.complete({ ref: productTemplate, argument: { name: 'sku', value: `${SKU_PREFIX}-B10` } });
    expect(few.completion).toEqual({ values: [`${SKU_PREFIX}-B100`], total: 1, hasMore: false });
  });

  it('routes completions through the router to the owning server, keeping the caller binding and scopes', async () => {
    const staff = await routerClient(ALL_TEST_SCOPES, 'router-staff');
    expect((await staff.complete({ ref: customerPrompt, argument: { name: 'customer_id', value: 'cus_' } })).completion.values).toEqual(
      expect.arrayContaining([alice, bob]),
    );
    expect((await staff.complete({ ref: orderTemplate, argument: { name: 'id', value: 'ord_' } })).completion.values).toEqual(
      expect.arrayContaining([aliceOrder.id, bobOrder.id]),
    );
    expect((await staff.complete({ ref: productTemplate, argument: { name: 'sku', value: `${SKU_PREFIX}-A` } })).completion.values).toEqual([
      `${SKU_PREFIX}-A`,
    ]);

    const bound = await routerClient(['customer:read', 'order:read'], 'alice', alice);
    expect((await bound.complete({ ref: customerPrompt, argument: { name: 'customer_id', value: 'cus_' } })).completion.values).toEqual([alice]);
    const own = (await bound.complete({ ref: orderTemplate, argument: { name: 'id', value: 'ord_' } })).completion.values;
    expect(own).toContain(aliceOrder.id);
    expect(own).not.toContain(bobOrder.id);

    const noScope = await routerClient(['order:read'], 'router-orders-only');
    const refused = await errorOf(noScope.complete({ ref: customerPrompt, argument: { name: 'customer_id', value: 'cus_' } }));
    expect((refused.data as { code?: string }).code).toBe('FORBIDDEN');
  });
});
