import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderGet, orderPlace } from '@mcpfed/contract-order';
import { AppError } from '@mcpfed/errors';
import { sql } from '@mcpfed/db';
import { idempotencyKey } from '@mcpfed/testing';
import { startFederationStack, placedOrder } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';

let stack: FederationStack;
let customerId: string;

beforeAll(async () => {
  stack = await startFederationStack({ label: 'checkout', orderEnv: { SAGA_CONCURRENCY: '32', SAGA_BACKOFF_MS: '200' } });
  customerId = await stack.createCustomer();
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const place = (input: Record<string, unknown>) =>
  stack.client('order').call(orderPlace, {
    customer_id: customerId,
    lines: [{ sku: 'CHK-001', quantity: 1 }],
    payment_method: 'pm_card_visa',
    idempotency_key: idempotencyKey(),
    wait_ms: 20_000,
    ...input,
  } as z.input<typeof orderPlace.input>).then(placedOrder);

/**
 * What a careful agent does with a retryable refusal (a breaker open while a loaded upstream catches up): the same
 * call again, same idempotency key, after a pause. Any other error, or one that is still refused, fails the test.
 */
async function placeAsACarefulAgent(input: Record<string, unknown>): Promise<Awaited<ReturnType<typeof place>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await place(input);
    } catch (error) {
      if (!AppError.is(error) || !error.retryable || attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

describe('checkout against the real customer, product and payment servers', () => {
  it('confirms an order: prices from the product server, payment captured, stock committed', async () => {
    await stack.createProduct('CHK-001', 1250, 10);
    await stack.createProduct('CHK-002', 399, 10);
    const result = await place({ lines: [{ sku: 'CHK-001', quantity: 2 }, { sku: 'CHK-002', quantity: 1 }] });
    expect(result.done).toBe(true);
    expect(result.replayed).toBe(false);
    const order = result.order;
    expect(order.status).toBe('confirmed');
    expect(order.total_amount).toBe(2 * 1250 + 399);
    expect(order.currency).toBe('EUR');
    expect(order.lines.map((l) => [l.sku, l.quantity, l.unit_price.amount, l.line_total.amount])).toEqual([
      ['CHK-001', 2, 1250, 2500],
      ['CHK-002', 1, 399, 399],
    ]);
    expect(order.payment.amount_authorized).toBe(2899);
    expect(order.payment.amount_captured).toBe(2899);

    const payments = await sql<{ status: string; amount_captured: string; order_ref: string }>`
      SELECT status, amount_captured, order_ref FROM payments WHERE order_ref = ${order.id}`.execute(stack.paymentDb.db);
    expect(payments.rows).toEqual([{ status: 'captured', amount_captured: '2899', order_ref: order.id }]);
    const reservation = await sql<{ status: string }>`SELECT status FROM reservations WHERE order_reference = ${order.id}`.execute(stack.productDb.db);
    expect(reservation.rows).toEqual([{ status: 'committed' }]);
    const stock = await sql<{ sku: string; on_hand: number; reserved: number }>`
      SELECT sku, on_hand, reserved FROM inventory_levels WHERE sku IN ('CHK-001', 'CHK-002') ORDER BY sku`.execute(stack.productDb.db);
    expect(stock.rows).toEqual([
      { sku: 'CHK-001', on_hand: 8, reserved: 0 },
      { sku: 'CHK-002', on_hand: 9, reserved: 0 },
    ]);

    const detail = await stack.client('order').call(orderGet, { order_id: order.id });
    expect(detail.workflow?.status).toBe('completed');
    expect(detail.workflow?.completed_steps).toEqual([
      'check_eligibility',
      'reserve_inventory',
      'authorize_payment',
      'confirm_order',
      'capture_payment',
      'commit_inventory',
    ]);
    expect(detail.history.map((h) => h.type)).toEqual(['order.confirmed', 'order.placed']);

    // The checkout's upstream calls are on the order server's own /metrics, with a breaker gauge per upstream.
    const metrics = (await (await fetch(`${stack.order.url}/metrics`)).text()).split('\n');
    for (const series of [
      'federation_calls_total{upstream="payment",tool="payment_authorize",outcome="ok",service="order-server"} 1',
      'federation_calls_total{upstream="payment",tool="payment_capture",outcome="ok",service="order-server"} 1',
      'federation_calls_total{upstream="product",tool="inventory_reserve",outcome="ok",service="order-server"} 1',
      'federation_calls_total{upstream="customer",tool="customer_check_eligibility",outcome="ok",service="order-server"} 1',
      'federation_call_duration_seconds_count{service="order-server",upstream="payment",tool="payment_authorize",outcome="ok"} 1',
      'upstream_breaker_state{upstream="customer",service="order-server"} 0',
      'upstream_breaker_state{upstream="product",service="order-server"} 0',
      'upstream_breaker_state{upstream="payment",service="order-server"} 0',
    ]) {
      expect(metrics).toContain(series);
    }
  });

  it('fails a declined payment and releases the stock it had reserved', async () => {
    await stack.createProduct('CHK-DECL', 500, 3);
    const { order, done } = await place({ lines: [{ sku: 'CHK-DECL', quantity: 2 }], payment_method: 'pm_card_declined' });
    expect(done).toBe(true);
    expect(order.status).toBe('failed');
    expect(order.failure_reason).toBe('payment_declined');
    const reservation = await sql<{ status: string }>`SELECT status FROM reservations WHERE order_reference = ${order.id}`.execute(stack.productDb.db);
    expect(reservation.rows).toEqual([{ status: 'released' }]);
    const stock = await sql<{ reserved: number; on_hand: number }>`SELECT reserved, on_hand FROM inventory_levels WHERE sku = 'CHK-DECL'`.execute(stack.productDb.db);
    expect(stock.rows).toEqual([{ reserved: 0, on_hand: 3 }]);
  });

  it('refuses unknown SKUs before writing anything, and fails an ineligible or short-stocked checkout', async () => {
    const before = await sql<{ n: string }>`SELECT count(*) AS n FROM orders`.execute(stack.orderDb.db);
    await expect(place({ lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] })).rejects.toMatchObject({ code: 'NOT_FOUND', details: { skus: ['NO-SUCH-SKU'] } });
    const after = await sql<{ n: string }>`SELECT count(*) AS n FROM orders`.execute(stack.orderDb.db);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);

    await stack.createProduct('CHK-SHORT', 100, 1);
    const short = await place({ lines: [{ sku: 'CHK-SHORT', quantity: 2 }] });
    expect([short.order.status, short.order.failure_reason]).toEqual(['failed', 'insufficient_stock']);
    const payments = await sql<{ n: string }>`SELECT count(*) AS n FROM payments WHERE order_ref = ${short.order.id}`.execute(stack.paymentDb.db);
    expect(payments.rows[0]?.n).toBe('0');

    const stranger = await place({ customer_id: 'cus_01j9z3k8q4m2n6p7r8s9t0v1w2' });
    expect([stranger.order.status, stranger.order.failure_reason]).toEqual(['failed', 'customer_not_eligible']);
  });

  it('makes one order of one idempotency key, even when the calls race; other arguments are IDEMPOTENCY_KEY_REUSED', async () => {
    await stack.createProduct('CHK-IDEM', 700, 50);
    const key = idempotencyKey();
    const results = await Promise.all(Array.from({ length: 8 }, () => place({ lines: [{ sku: 'CHK-IDEM', quantity: 1 }], idempotency_key: key })));
    expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(results.every((r) => r.order.status === 'confirmed')).toBe(true);
    const orderId = results[0]?.order.id as string;
    const rows = await sql<{ n: string }>`SELECT count(*) AS n FROM orders WHERE idempotency_key = ${key}`.execute(stack.orderDb.db);
    expect(rows.rows[0]?.n).toBe('1');
    const payments = await sql<{ n: string }>`SELECT count(*) AS n FROM payments WHERE order_ref = ${orderId}`.execute(stack.paymentDb.db);
    expect(payments.rows[0]?.n).toBe('1');

    const reused = await place({ lines: [{ sku: 'CHK-IDEM', quantity: 2 }], idempotency_key: key }).catch((error: unknown) => error);
    expect(AppError.is(reused) && reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('200 concurrent checkouts for scarce stock: no oversell, every order confirmed or failed, nothing left held', async () => {
    const STOCK = 60;
    await stack.createProduct('CHK-SCARCE', 1000, STOCK);
    const customers = await Promise.all(Array.from({ length: 20 }, () => stack.createCustomer()));
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        placeAsACarefulAgent({
          customer_id: customers[i % customers.length] as string,
          lines: [{ sku: 'CHK-SCARCE', quantity: 1 + (i % 2) }],
          payment_method: i % 10 === 9 ? 'pm_card_declined' : 'pm_card_visa',
          idempotency_key: idempotencyKey(),
          wait_ms: 25_000,
        }),
      ),
    );
    const ids = results.map((r) => r.order.id);
    // Anything not finished within the wait is finished by the worker: read the final states from the database.
    let orders: Array<{ id: string; status: string; total_amount: string; amount_captured: string; quantity: number }> = [];
    for (let tries = 0; tries < 120; tries++) {
      orders = (
        await sql<{ id: string; status: string; total_amount: string; amount_captured: string; quantity: number }>`
          SELECT o.id, o.status, o.total_amount, o.amount_captured, l.quantity FROM orders o JOIN order_lines l ON l.order_id = o.id
           WHERE o.id = ANY(${ids})`.execute(stack.orderDb.db)
      ).rows;
      if (orders.every((o) => o.status !== 'pending')) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(orders).toHaveLength(200);
    expect(orders.filter((o) => o.status !== 'confirmed' && o.status !== 'failed')).toEqual([]);
    const confirmed = orders.filter((o) => o.status === 'confirmed');
    const sold = confirmed.reduce((sum, o) => sum + o.quantity, 0);
    expect(sold).toBeLessThanOrEqual(STOCK);
    expect(sold).toBeGreaterThan(0);

    const stock = await sql<{ on_hand: number; reserved: number }>`SELECT on_hand, reserved FROM inventory_levels WHERE sku = 'CHK-SCARCE'`.execute(stack.productDb.db);
    expect(stock.rows).toEqual([{ on_hand: STOCK - sold, reserved: 0 }]);
    const reservations = await sql<{ order_reference: string; status: string }>`
      SELECT order_reference, status FROM reservations WHERE order_reference = ANY(${ids})`.execute(stack.productDb.db);
    const reservationOf = new Map(reservations.rows.map((r) => [r.order_reference, r.status]));
    const payments = await sql<{ order_ref: string; status: string; amount_captured: string }>`
      SELECT order_ref, status, amount_captured FROM payments WHERE order_ref = ANY(${ids})`.execute(stack.paymentDb.db);
    const paymentsOf = new Map<string, Array<{ status: string; amount_captured: string }>>();
    for (const p of payments.rows) paymentsOf.set(p.order_ref, [...(paymentsOf.get(p.order_ref) ?? []), { status: p.status, amount_captured: p.amount_captured }]);

    for (const o of confirmed) {
      expect(reservationOf.get(o.id)).toBe('committed');
      expect(paymentsOf.get(o.id)).toEqual([{ status: 'captured', amount_captured: o.total_amount }]);
      expect(o.amount_captured).toBe(o.total_amount);
      expect(Number(o.total_amount)).toBe(1000 * o.quantity);
    }
    for (const o of orders.filter((x) => x.status === 'failed')) {
      expect(['released', undefined]).toContain(reservationOf.get(o.id));
      expect((paymentsOf.get(o.id) ?? []).filter((p) => p.status === 'authorized' || p.amount_captured !== '0')).toEqual([]);
    }
    const movements = await sql<{ committed: string }>`
      SELECT coalesce(-sum(delta_on_hand), 0) AS committed FROM inventory_movements WHERE sku = 'CHK-SCARCE' AND kind = 'commit'`.execute(stack.productDb.db);
    expect(Number(movements.rows[0]?.committed)).toBe(sold);
  }, 180_000);
});
