import type { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  orderCancel,
  orderEvents,
  orderFulfill,
  orderGet,
  orderMarkDelivered,
  orderPlace,
  orderQuerySql,
  orderQuote,
  orderRefund,
  orderSearch,
  orderSummary,
  orderWorkflowGet,
  orderWorkflowList,
  orderWorkflowRetry,
} from '@mcpfed/contract-order';
import { sql } from '@mcpfed/db';
import { idempotencyKey } from '@mcpfed/testing';
import { startFederationStack, placedOrder } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';

let stack: FederationStack;
let customerId: string;
let mcp: Client;

beforeAll(async () => {
  stack = await startFederationStack({ label: 'tools' });
  customerId = await stack.createCustomer();
  await stack.createProduct('TLS-001', 1500, 20);
  await stack.createProduct('TLS-002', 250, 20);
  const token = await stack.token({ audience: 'order', scopes: ['order:read', 'sql:read', 'customer:any'] });
  mcp = new Client({ name: 'order-tools-test', version: '0.0.0' });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(`${stack.order.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
}, 120_000);

afterAll(async () => {
  await mcp?.close();
  await stack?.close();
});

const orders = () => stack.client('order');
const place = (input: Partial<z.input<typeof orderPlace.input>> = {}) =>
  orders()
    .call(orderPlace, {
      customer_id: customerId,
      lines: [
        { sku: 'TLS-001', quantity: 2 },
        { sku: 'TLS-002', quantity: 2 },
      ],
      payment_method: 'pm_card_visa',
      idempotency_key: idempotencyKey(),
      wait_ms: 20_000,
      ...input,
    })
    .then(placedOrder);
const stockOf = async (sku: string) =>
  (await sql<{ on_hand: number; reserved: number }>`SELECT on_hand, reserved FROM inventory_levels WHERE sku = ${sku}`.execute(stack.productDb.db)).rows[0];
const paymentOf = async (orderId: string) =>
  (
    await sql<{ status: string; amount_captured: string; amount_refunded: string }>`
    SELECT status, amount_captured, amount_refunded FROM payments WHERE order_ref = ${orderId}`.execute(stack.paymentDb.db)
  ).rows;

describe('order tools', () => {
  it('quotes with catalog prices, stock and every blocking problem, holding nothing', async () => {
    const quote = await orders().call(orderQuote, {
      customer_id: customerId,
      lines: [
        { sku: 'TLS-001', quantity: 3 },
        { sku: 'TLS-002', quantity: 99 },
        { sku: 'TLS-NONE', quantity: 1 },
      ],
    });
    expect(quote.eligible).toBe(true);
    expect(quote.lines.map((l) => [l.sku, l.unit_price?.amount ?? null, l.line_total?.amount ?? null, l.available])).toEqual([
      ['TLS-001', 1500, 4500, 20],
      ['TLS-002', 250, 24750, 20],
      ['TLS-NONE', null, null, 0],
    ]);
    expect(quote.total).toEqual({ amount: 4500 + 24750, currency: 'EUR' });
    expect(quote.problems.map((p) => [p.code, p.sku])).toEqual([
      ['insufficient_stock', 'TLS-002'],
      ['sku_not_found', 'TLS-NONE'],
    ]);
    expect(quote.can_place).toBe(false);
    expect(await stockOf('TLS-001')).toEqual({ on_hand: 20, reserved: 0 });
  });

  it('captures on fulfillment, delivers, refunds a line with restock, and reports each change in the feed', async () => {
    const placed = await place({ capture_mode: 'on_fulfillment' });
    expect(placed.order.status).toBe('confirmed');
    expect(placed.order.payment.amount_captured).toBe(0);
    expect(await paymentOf(placed.order.id)).toEqual([{ status: 'authorized', amount_captured: '0', amount_refunded: '0' }]);
    const early = await orders()
      .call(orderRefund, { order_id: placed.order.id, expected_version: placed.order.version, idempotency_key: idempotencyKey() })
      .catch((error: unknown) => error);
    expect(early).toMatchObject({ code: 'PRECONDITION_FAILED' });

    const stale = await orders()
      .call(orderFulfill, {
        order_id: placed.order.id,
        expected_version: placed.order.version + 5,
        carrier: 'DHL',
        tracking_number: 'JD0001',
        idempotency_key: idempotencyKey(),
      })
      .catch((error: unknown) => error);
    expect(stale).toMatchObject({ code: 'CONFLICT', details: { current_version: placed.order.version } });

    const key = idempotencyKey();
    const fulfilled = await orders().call(orderFulfill, {
      order_id: placed.order.id,
      expected_version: placed.order.version,
      carrier: 'DHL',
      tracking_number: 'JD0001',
      idempotency_key: key,
    });
    expect(fulfilled.captured_amount).toBe(3500);
    expect(fulfilled.order.status).toBe('fulfilled');
    expect(fulfilled.order.tracking).toEqual({ carrier: 'DHL', tracking_number: 'JD0001' });
    const again = await orders().call(orderFulfill, {
      order_id: placed.order.id,
      expected_version: placed.order.version,
      carrier: 'DHL',
      tracking_number: 'JD0001',
      idempotency_key: key,
    });
    expect(again.replayed).toBe(true);
    expect(await paymentOf(placed.order.id)).toEqual([{ status: 'captured', amount_captured: '3500', amount_refunded: '0' }]);

    const delivered = await orders().call(orderMarkDelivered, { order_id: placed.order.id, expected_version: fulfilled.order.version });
    expect([delivered.order.status, delivered.changed]).toEqual(['delivered', true]);
    const repeated = await orders().call(orderMarkDelivered, { order_id: placed.order.id, expected_version: fulfilled.order.version });
    expect([repeated.changed, repeated.order.version]).toEqual([false, delivered.order.version]);

    const preview = await orders().call(orderRefund, {
      order_id: placed.order.id,
      expected_version: delivered.order.version,
      lines: [{ sku: 'TLS-002', quantity: 1 }],
      idempotency_key: idempotencyKey(),
      dry_run: true,
    });
    expect([preview.dry_run, preview.refund_amount, preview.payment_refund_id]).toEqual([true, 250, null]);
    expect(await paymentOf(placed.order.id)).toEqual([{ status: 'captured', amount_captured: '3500', amount_refunded: '0' }]);
    const before = await stockOf('TLS-002');
    const refunded = await orders().call(orderRefund, {
      order_id: placed.order.id,
      expected_version: delivered.order.version,
      lines: [{ sku: 'TLS-002', quantity: 1 }],
      idempotency_key: idempotencyKey(),
    });
    expect([refunded.order.status, refunded.refund_amount, refunded.order.refunded_amount]).toEqual(['partially_refunded', 250, 250]);
    expect(refunded.payment_refund_id).toMatch(/^re_/);
    expect(await paymentOf(placed.order.id)).toEqual([{ status: 'partially_refunded', amount_captured: '3500', amount_refunded: '250' }]);
    expect(await stockOf('TLS-002')).toEqual({ on_hand: (before?.on_hand ?? 0) + 1, reserved: 0 });
    const tooMuch = await orders()
      .call(orderRefund, {
        order_id: placed.order.id,
        expected_version: refunded.order.version,
        lines: [{ sku: 'TLS-002', quantity: 2 }],
        idempotency_key: idempotencyKey(),
      })
      .catch((error: unknown) => error);
    expect(tooMuch).toMatchObject({ code: 'PRECONDITION_FAILED', details: { sku: 'TLS-002', refundable_quantity: 1 } });

    const feed = await orders().call(orderEvents, { filter: { order_id: placed.order.id } });
    expect(feed.items.map((i) => [i.event.type, i.event.order.status, i.event.order.counted, i.event.order.net_amount])).toEqual([
      ['order.placed', 'pending', false, 3500],
      ['order.confirmed', 'confirmed', true, 3500],
      ['order.fulfilled', 'fulfilled', true, 3500],
      ['order.delivered', 'delivered', true, 3500],
      ['order.refunded', 'partially_refunded', true, 3250],
    ]);
    const versions = feed.items.map((i) => i.event.order.order_version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    const next = await orders().call(orderEvents, { filter: { order_id: placed.order.id }, cursor: feed.next_cursor as string });
    expect(next.items).toEqual([]);
    expect(next.next_cursor).toBe(feed.next_cursor);
  });

  it('cancels a paid order: dry run first, then the refund and the stock back', async () => {
    const placed = await place();
    const stockBefore = await stockOf('TLS-001');
    const preview = await orders().call(orderCancel, {
      order_id: placed.order.id,
      expected_version: placed.order.version,
      idempotency_key: idempotencyKey(),
      dry_run: true,
    });
    expect([preview.dry_run, preview.payment_action, preview.refund_amount, preview.stock_action, preview.order.status]).toEqual([
      true,
      'refund',
      3500,
      'restock',
      'confirmed',
    ]);
    const cancelled = await orders().call(orderCancel, {
      order_id: placed.order.id,
      expected_version: placed.order.version,
      idempotency_key: idempotencyKey(),
    });
    expect([cancelled.order.status, cancelled.order.refunded_amount]).toEqual(['cancelled', 3500]);
    expect(await paymentOf(placed.order.id)).toEqual([{ status: 'refunded', amount_captured: '3500', amount_refunded: '3500' }]);
    expect(await stockOf('TLS-001')).toEqual({ on_hand: (stockBefore?.on_hand ?? 0) + 2, reserved: 0 });
    const twice = await orders()
      .call(orderCancel, { order_id: placed.order.id, expected_version: cancelled.order.version, idempotency_key: idempotencyKey() })
      .catch((error: unknown) => error);
    expect(twice).toMatchObject({ code: 'PRECONDITION_FAILED', details: { status: 'cancelled' } });

    const held = await place({ capture_mode: 'on_fulfillment' });
    const voided = await orders().call(orderCancel, { order_id: held.order.id, expected_version: held.order.version, idempotency_key: idempotencyKey() });
    expect([voided.payment_action, voided.refund_amount, voided.order.status]).toEqual(['void', 0, 'cancelled']);
    expect(await paymentOf(held.order.id)).toEqual([{ status: 'voided', amount_captured: '0', amount_refunded: '0' }]);
  });

  it('reads, searches and summarizes orders; shows and guards workflows', async () => {
    const placed = await place();
    const byNumber = await orders().call(orderGet, { order_number: placed.order.order_number });
    expect(byNumber.order.id).toBe(placed.order.id);
    await expect(orders().call(orderGet, { order_id: 'ord_01j9z3k8q4m2n6p7r8s9t0v1w2' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const first = await orders().call(orderSearch, { filter: { customer_id: customerId }, limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await orders().call(orderSearch, { filter: { customer_id: customerId }, limit: 2, cursor: first.next_cursor as string });
    const ids = [...first.items, ...second.items].map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(first.items[0]?.id).toBe(placed.order.id);
    const cancelledOnly = await orders().call(orderSearch, { filter: { customer_id: customerId, status: 'cancelled' } });
    expect(cancelledOnly.items.map((o) => o.status)).toEqual(['cancelled', 'cancelled']);

    const summary = await orders().call(orderSummary, {});
    const confirmed = summary.totals.find((t) => t.status === 'confirmed' && t.currency === 'EUR');
    const counted = await sql<{ n: string; total: string }>`SELECT count(*) AS n, sum(total_amount) AS total FROM orders WHERE status = 'confirmed'`.execute(
      stack.orderDb.db,
    );
    expect(confirmed).toEqual({
      status: 'confirmed',
      currency: 'EUR',
      orders: Number(counted.rows[0]?.n),
      total_amount: Number(counted.rows[0]?.total),
      refunded_amount: 0,
    });

    const workflow = await orders().call(orderWorkflowGet, { order_id: placed.order.id });
    expect([workflow.status, workflow.step, workflow.attempts]).toEqual(['completed', 'done', 1]);
    const completed = await orders().call(orderWorkflowList, { state: 'completed', limit: 100 });
    expect(completed.items.map((w) => w.order_id)).toContain(placed.order.id);
    expect((await orders().call(orderWorkflowList, {})).items).toEqual([]);
    await expect(orders().call(orderWorkflowRetry, { order_id: placed.order.id })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      details: { status: 'completed' },
    });
  });

  it('answers read-only SQL over the analytics views only', async () => {
    const result = await orders().call(orderQuerySql, { sql: "SELECT status, count(*) AS n FROM analytics_orders WHERE status = 'cancelled' GROUP BY status" });
    expect(result.rows).toEqual([['cancelled', '2']]);
    const refused = await orders()
      .call(orderQuerySql, { sql: 'SELECT idempotency_key FROM orders' })
      .catch((error: unknown) => error);
    expect(['FORBIDDEN', 'VALIDATION_FAILED']).toContain((refused as { code?: string }).code);
  });

  it('reports each checkout step as progress while order_place waits', async () => {
    const token = await stack.token({ audience: 'order', scopes: ['order:write'], customerId });
    const writer = new Client({ name: 'order-progress-test', version: '0.0.0' });
    await writer.connect(
      new StreamableHTTPClientTransport(new URL(`${stack.order.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    try {
      const progress: Array<{ progress: number; total?: number }> = [];
      const result = await writer.callTool(
        {
          name: 'order_place',
          arguments: {
            customer_id: customerId,
            lines: [{ sku: 'TLS-001', quantity: 1 }],
            payment_method: 'pm_card_visa',
            idempotency_key: idempotencyKey(),
            wait_ms: 20_000,
          },
        },
        undefined,
        { onprogress: (p) => progress.push({ progress: p.progress, ...(p.total === undefined ? {} : { total: p.total }) }), timeout: 30_000 },
      );
      expect((result.structuredContent as { order: { status: string } }).order.status).toBe('confirmed');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.every((p) => p.total === 6 && p.progress >= 0 && p.progress <= 6)).toBe(true);
      const values = progress.map((p) => p.progress);
      expect([...values].sort((a, b) => a - b)).toEqual(values);
    } finally {
      await writer.close();
    }
  });

  it('serves the order resource, the state machine, the SQL schema and the triage prompt', async () => {
    const placed = await place();
    const resource = await mcp.readResource({ uri: `order://${placed.order.id}` });
    expect(JSON.parse((resource.contents[0] as { text: string }).text).order.id).toBe(placed.order.id);
    const machine = JSON.parse(((await mcp.readResource({ uri: 'orders://state-machine' })).contents[0] as { text: string }).text);
    expect(machine.checkout.steps[2]).toEqual({ step: 'authorize_payment', idempotency_key: 'checkout:<order_id>:authorize_payment' });
    const schema = JSON.parse(((await mcp.readResource({ uri: 'schema://order' })).contents[0] as { text: string }).text);
    expect(schema.views.map((v: { name: string }) => v.name)).toEqual([
      'analytics_orders',
      'analytics_order_lines',
      'analytics_order_events',
      'analytics_checkout_workflows',
    ]);
    const prompt = await mcp.getPrompt({ name: 'order_support_triage', arguments: { order_id: placed.order.id } });
    expect((prompt.messages[0]?.content as { text: string }).text).toContain(placed.order.id);
    const denied = await mcp.callTool({
      name: 'order_place',
      arguments: { customer_id: customerId, lines: [{ sku: 'TLS-001', quantity: 1 }], payment_method: 'pm_card_visa', idempotency_key: idempotencyKey() },
    });
    expect(denied.isError).toBe(true);
    expect((denied.structuredContent as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  });
});
