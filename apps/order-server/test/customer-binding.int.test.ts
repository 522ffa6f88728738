/**
 * Principals bound to customers across the federation (four real server processes, real PostgreSQL and Redis, the
 * SDK client over HTTP): a token bound to customer A cannot order for B, charge B's saved card, see or change B's
 * orders and payments; an unbound token without customer:any is refused; staff with customer:any reach everyone;
 * and the checkout saga, run with the caller's token exchanged for each server (RFC 8693), completes for A.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from '@mcpfed/db';
import type { Kysely } from '@mcpfed/db';
import { expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moneyRows } from './money-rows.ts';
import { ALL_TEST_SCOPES, startFederationStack } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';

interface Order {
  id: string;
  status: string;
  version: number;
  customer_id: string;
  failure_reason: string | null;
}

const SHOPPER_SCOPES = ['order:read', 'order:write', 'payment:refund'];
const PAYMENT_SCOPES = ['payment:read', 'payment:write', 'payment:refund'];

let stack: FederationStack;
let staffOrders: Client;
let staffPayments: Client;
let customerA: string;
let customerB: string;
/** B's confirmed order, paid with B's saved card. */
let orderB: Order;
let paymentB: string;
let cardB: string;

/** Rows per table (audit log aside) of one database: what a refused call may not change. */
async function rowCounts(db: Kysely<unknown>): Promise<Record<string, number>> {
  const { rows: tables } = await sql<{ schema: string; name: string }>`
    SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_name <> 'mcp_audit_log'
     ORDER BY 1, 2`.execute(db);
  const counts: Record<string, number> = {};
  for (const { schema, name } of tables) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id(schema, name)}`.execute(db);
    counts[`${schema}.${name}`] = rows[0]?.n ?? 0;
  }
  return counts;
}

/**
 * Waits until the customer server has projected every order of this stack (one snapshot row per order): the
 * projection runs behind the order's outbox, so a count taken before it settles would move without any call.
 */
async function projectionSettled(): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const orders = await sql<{ id: string }>`SELECT id FROM orders ORDER BY id`.execute(stack.orderDb.db as Kysely<unknown>);
    const snapshots = await sql<{ id: string }>`SELECT order_id AS id FROM customer_order_snapshots ORDER BY order_id`.execute(stack.customerDb.db);
    if (JSON.stringify(snapshots.rows) === JSON.stringify(orders.rows)) return;
    if (Date.now() > deadline) expect(snapshots.rows, 'the customer projection of the orders').toEqual(orders.rows);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Row counts of every table of the four databases, once the order projection has settled. */
async function everyRowCount(): Promise<Record<string, Record<string, number>>> {
  await projectionSettled();
  return {
    order: await rowCounts(stack.orderDb.db as Kysely<unknown>),
    payment: await rowCounts(stack.paymentDb.db),
    product: await rowCounts(stack.productDb.db),
    customer: await rowCounts(stack.customerDb.db),
  };
}

async function place(client: Client, customerId: string, paymentMethod: string): Promise<{ order: Order }> {
  return expectToolOk<{ order: Order }>(client, 'order_place', {
    customer_id: customerId,
    lines: [{ sku: 'BND-001', quantity: 1 }],
    payment_method: paymentMethod,
    idempotency_key: idempotencyKey(),
    wait_ms: 20_000,
  });
}

beforeAll(async () => {
  stack = await startFederationStack({ label: 'binding' });
  customerA = await stack.createCustomer();
  customerB = await stack.createCustomer();
  await stack.createProduct('BND-001', 1200, 50);
  staffOrders = await stack.mcp('order', ALL_TEST_SCOPES, 'staff-1');
  staffPayments = await stack.mcp('payment', ALL_TEST_SCOPES, 'staff-1');
  const attached = await expectToolOk<{ payment_method: { id: string } }>(staffPayments, 'payment_method_attach', {
    customer_id: customerB,
    token: 'pm_card_visa',
  });
  cardB = attached.payment_method.id;
  orderB = (await place(staffOrders, customerB, cardB)).order;
  expect(orderB.status).toBe('confirmed');
  const { rows } = await sql<{ id: string }>`SELECT id FROM payments WHERE order_ref = ${orderB.id}`.execute(stack.paymentDb.db);
  paymentB = rows[0]?.id as string;
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe('a token bound to customer A', () => {
  let shopper: Client;
  let shopperPayments: Client;
  beforeAll(async () => {
    shopper = await stack.mcp('order', SHOPPER_SCOPES, 'shopper-a', customerA);
    shopperPayments = await stack.mcp('payment', PAYMENT_SCOPES, 'shopper-a', customerA);
  });

  it('cannot place an order for B: FORBIDDEN before anything is written or called', async () => {
    const before = await everyRowCount();
    const error = await expectToolError(shopper, 'order_place', {
      customer_id: customerB,
      lines: [{ sku: 'BND-001', quantity: 1 }],
      payment_method: cardB,
      idempotency_key: idempotencyKey(),
    });
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { bound_customer_id: customerA } });
    expect((await expectToolError(shopper, 'order_quote', { customer_id: customerB, lines: [{ sku: 'BND-001', quantity: 1 }] })).code).toBe('FORBIDDEN');
    expect(await everyRowCount()).toEqual(before);
  });

  it("cannot charge B's saved card for its own order: the checkout fails and no payment touches the card", async () => {
    const { order } = await place(shopper, customerA, cardB);
    expect(order).toMatchObject({ customer_id: customerA, status: 'failed' });
    const charged = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE payment_method_id = ${cardB} AND order_ref <> ${orderB.id}`.execute(
      stack.paymentDb.db,
    );
    expect(charged.rows).toEqual([{ n: 0 }]);
    const mine = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE order_ref = ${order.id}`.execute(stack.paymentDb.db);
    expect(mine.rows).toEqual([{ n: 0 }]);
  }, 60_000);

  it("cannot see or change B's orders: NOT_FOUND like an unknown order, lists hold only A's, B's order untouched", async () => {
    const before = await everyRowCount();
    const rowsOfB = await moneyRows(stack, orderB.id);
    const hidden = await expectToolError(shopper, 'order_get', { order_id: orderB.id });
    const unknown = await expectToolError(shopper, 'order_get', { order_id: 'ord_00000000000000000000000000' });
    expect(hidden.code).toBe('NOT_FOUND');
    expect(hidden.message).toBe(unknown.message.replace('ord_00000000000000000000000000', orderB.id));
    for (const [tool, args] of [
      ['order_cancel', { order_id: orderB.id, expected_version: orderB.version, idempotency_key: idempotencyKey() }],
      ['order_refund', { order_id: orderB.id, expected_version: orderB.version, idempotency_key: idempotencyKey() }],
      ['order_cancel', { order_id: orderB.id, expected_version: orderB.version, idempotency_key: idempotencyKey(), dry_run: true }],
    ] as const) {
      expect({ tool, code: (await expectToolError(shopper, tool, args)).code }).toEqual({ tool, code: 'NOT_FOUND' });
    }
    const list = await expectToolOk<{ items: Order[] }>(shopper, 'order_search', { limit: 100 });
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.filter((item) => item.customer_id !== customerA)).toEqual([]);
    expect((await expectToolError(shopper, 'order_search', { filter: { customer_id: customerB } })).code).toBe('FORBIDDEN');
    const feed = await expectToolOk<{ items: Array<{ event: { order: { customer_id: string } } }> }>(shopper, 'order_events', { limit: 100 });
    expect(feed.items.length).toBeGreaterThan(0);
    expect(feed.items.filter((item) => item.event.order.customer_id !== customerA)).toEqual([]);
    expect((await expectToolError(shopper, 'order_events', { filter: { customer_id: customerB } })).code).toBe('FORBIDDEN');
    for (const tool of ['order_summary', 'order_workflow_list']) expect((await expectToolError(shopper, tool, {})).code).toBe('FORBIDDEN');
    expect(await moneyRows(stack, orderB.id)).toEqual(rowsOfB);
    expect(await everyRowCount()).toEqual(before);
  });

  it("cannot see, charge, capture, void or refund B's payments and cards (exact codes, nothing written)", async () => {
    const before = await everyRowCount();
    const rowsOfB = await moneyRows(stack, orderB.id);
    expect((await expectToolError(shopperPayments, 'payment_get', { payment_id: paymentB })).code).toBe('NOT_FOUND');
    expect((await expectToolError(shopperPayments, 'payment_refundable', { payment_id: paymentB })).code).toBe('NOT_FOUND');
    expect((await expectToolError(shopperPayments, 'payment_method_list', { customer_id: customerB })).code).toBe('FORBIDDEN');
    expect((await expectToolError(shopperPayments, 'payment_method_attach', { customer_id: customerB, token: 'pm_card_visa' })).code).toBe('FORBIDDEN');
    const search = await expectToolOk<{ items: Array<{ customer_id: string }> }>(shopperPayments, 'payment_search', { limit: 100 });
    expect(search.items.filter((item) => item.customer_id !== customerA)).toEqual([]);
    expect((await expectToolError(shopperPayments, 'payment_search', { filter: { customer_id: customerB } })).code).toBe('FORBIDDEN');
    const authorizeFor = (customerId: string, method: string) => ({
      order_ref: `ord-bind-${idempotencyKey().slice(0, 8)}`,
      customer_id: customerId,
      amount: 500,
      currency: 'EUR',
      payment_method: method,
      idempotency_key: idempotencyKey(),
    });
    expect((await expectToolError(shopperPayments, 'payment_authorize', authorizeFor(customerB, 'pm_card_visa'))).code).toBe('FORBIDDEN');
    // B's saved card named for A: the method is not A's, exactly as if it did not exist.
    expect((await expectToolError(shopperPayments, 'payment_authorize', authorizeFor(customerA, cardB))).code).toBe('NOT_FOUND');
    for (const [tool, args] of [
      ['payment_capture', { payment_id: paymentB, idempotency_key: idempotencyKey() }],
      ['payment_void', { payment_id: paymentB, idempotency_key: idempotencyKey() }],
      ['payment_refund', { payment_id: paymentB, amount: 100, currency: 'EUR', reason: 'requested_by_customer', idempotency_key: idempotencyKey() }],
      [
        'payment_refund',
        { payment_id: paymentB, amount: 100, currency: 'EUR', reason: 'requested_by_customer', idempotency_key: idempotencyKey(), dry_run: true },
      ],
    ] as const) {
      expect({ tool, code: (await expectToolError(shopperPayments, tool, args)).code }).toEqual({ tool, code: 'NOT_FOUND' });
    }
    expect(await moneyRows(stack, orderB.id)).toEqual(rowsOfB);
    expect(await everyRowCount()).toEqual(before);
  });

  it("cannot void B's hold through the checkout's authorization key: keys are per principal", async () => {
    const rowsOfB = await moneyRows(stack, orderB.id);
    const error = await expectToolError(shopperPayments, 'payment_void', {
      authorization_key: `checkout:${orderB.id}:authorize_payment`,
      idempotency_key: idempotencyKey(),
    });
    expect(error).toMatchObject({ code: 'PRECONDITION_FAILED', details: { authorization: 'none' } });
    expect(await moneyRows(stack, orderB.id)).toEqual(rowsOfB);
  });

  it('places, reads and cancels its own order: the checkout acting for a bound caller completes for A', async () => {
    const { order } = await place(shopper, customerA, 'pm_card_visa');
    expect(order).toMatchObject({ customer_id: customerA, status: 'confirmed' });
    const payments = await sql<{ customer_id: string; status: string }>`SELECT customer_id, status FROM payments WHERE order_ref = ${order.id}`.execute(
      stack.paymentDb.db,
    );
    expect(payments.rows).toEqual([{ customer_id: customerA, status: 'captured' }]);
    expect((await expectToolOk<{ order: Order }>(shopper, 'order_get', { order_id: order.id })).order.id).toBe(order.id);
    const cancelled = await expectToolOk<{ order: Order }>(shopper, 'order_cancel', {
      order_id: order.id,
      expected_version: order.version,
      idempotency_key: idempotencyKey(),
    });
    expect(cancelled.order.status).toBe('cancelled');
    const own = await expectToolOk<{ items: Array<{ order_ref: string }> }>(shopperPayments, 'payment_search', { filter: { order_ref: order.id } });
    expect(own.items.map((item) => item.order_ref)).toEqual([order.id]);
  }, 60_000);
});

describe('an unbound token', () => {
  it('without customer:any reaches no customer: FORBIDDEN naming it, nothing written', async () => {
    const before = await everyRowCount();
    const agent = await stack.mcp('order', SHOPPER_SCOPES, 'agent-no-reach');
    const payments = await stack.mcp('payment', PAYMENT_SCOPES, 'agent-no-reach');
    const placed = await expectToolError(agent, 'order_place', {
      customer_id: customerA,
      lines: [{ sku: 'BND-001', quantity: 1 }],
      payment_method: 'pm_card_visa',
      idempotency_key: idempotencyKey(),
    });
    expect(placed).toMatchObject({ code: 'FORBIDDEN', details: { missing: ['customer:any'] } });
    expect((await expectToolError(agent, 'order_get', { order_id: orderB.id })).code).toBe('FORBIDDEN');
    expect((await expectToolError(agent, 'order_search', {})).code).toBe('FORBIDDEN');
    expect((await expectToolError(payments, 'payment_get', { payment_id: paymentB })).code).toBe('FORBIDDEN');
    expect((await expectToolError(payments, 'payment_void', { authorization_key: 'any-key-1', idempotency_key: idempotencyKey() })).code).toBe('FORBIDDEN');
    expect(await everyRowCount()).toEqual(before);
  });

  it('with customer:any (staff) reaches every customer', async () => {
    expect((await expectToolOk<{ order: Order }>(staffOrders, 'order_get', { order_id: orderB.id })).order.customer_id).toBe(customerB);
    const both = await expectToolOk<{ items: Order[] }>(staffOrders, 'order_search', { limit: 100 });
    expect(new Set(both.items.map((item) => item.customer_id))).toEqual(new Set([customerA, customerB]));
    expect((await expectToolOk<{ id: string }>(staffPayments, 'payment_get', { payment_id: paymentB })).id).toBe(paymentB);
  });
});
