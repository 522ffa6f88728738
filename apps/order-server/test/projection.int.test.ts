import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerGet } from '@mcpfed/contract-customer';
import { orderCancel, orderPlace, orderRefund } from '@mcpfed/contract-order';
import { sql } from '@mcpfed/db';
import { idempotencyKey } from '@mcpfed/testing';
import { startFederationStack } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';

let stack: FederationStack;

beforeAll(async () => {
  stack = await startFederationStack({ label: 'projection' });
  await stack.createProduct('PRJ-001', 1200, 500);
  await stack.createProduct('PRJ-002', 345, 500);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

interface Expected {
  order_count: number;
  lifetime_value: number;
  last_order_at: string | null;
}

/** Each customer's statistics as the order database says: confirmed orders that did not fail, net of refunds and cancellations. */
async function expectedStats(customerIds: readonly string[]): Promise<Map<string, Expected>> {
  const rows = await sql<{ customer_id: string; n: string; net: string | null; last: Date | null }>`
    SELECT customer_id,
           count(*) FILTER (WHERE counted) AS n,
           sum(CASE WHEN status = 'cancelled' THEN 0 ELSE total_amount - refunded_amount END) FILTER (WHERE counted) AS net,
           max(placed_at) FILTER (WHERE counted) AS last
      FROM (SELECT *, confirmed_at IS NOT NULL AND status NOT IN ('pending', 'failed') AS counted FROM orders) o
     WHERE customer_id = ANY(${customerIds})
     GROUP BY customer_id`.execute(stack.orderDb.db);
  const expected = new Map<string, Expected>(customerIds.map((id) => [id, { order_count: 0, lifetime_value: 0, last_order_at: null }]));
  for (const row of rows.rows) {
    expected.set(row.customer_id, { order_count: Number(row.n), lifetime_value: Number(row.net ?? 0), last_order_at: row.last?.toISOString() ?? null });
  }
  return expected;
}

describe('the customer projection of order events', () => {
  it('after N orders (confirmed, failed, cancelled, refunded) each customer\'s statistics equal what the order database says', async () => {
    const customers = await Promise.all(Array.from({ length: 6 }, () => stack.createCustomer()));
    const orders = stack.client('order');
    const placed = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        orders.call(orderPlace, {
          customer_id: customers[i % customers.length] as string,
          lines: i % 3 === 0 ? [{ sku: 'PRJ-001', quantity: 1 }, { sku: 'PRJ-002', quantity: 2 }] : [{ sku: 'PRJ-002', quantity: 1 + (i % 4) }],
          payment_method: i % 7 === 3 ? 'pm_card_declined' : 'pm_card_visa',
          idempotency_key: idempotencyKey(),
          wait_ms: 20_000,
        }),
      ),
    );
    const confirmed = placed.map((p) => p.order).filter((o) => o.status === 'confirmed');
    expect(placed.some((p) => p.order.status === 'failed')).toBe(true);
    const [toCancel, toRefund] = confirmed;
    await orders.call(orderCancel, { order_id: toCancel?.id as string, expected_version: toCancel?.version as number, idempotency_key: idempotencyKey() });
    await orders.call(orderRefund, {
      order_id: toRefund?.id as string,
      expected_version: toRefund?.version as number,
      lines: [{ sku: toRefund?.lines[0]?.sku as string, quantity: 1 }],
      idempotency_key: idempotencyKey(),
    });

    const expected = await expectedStats(customers);
    expect([...expected.values()].some((e) => e.order_count > 0)).toBe(true);
    const deadline = Date.now() + 30_000;
    let actual = new Map<string, Expected>();
    for (;;) {
      actual = new Map(
        await Promise.all(
          customers.map(async (id) => {
            const customer = await stack.client('customer').call(customerGet, { id });
            return [id, { order_count: customer.order_stats.order_count, lifetime_value: customer.order_stats.lifetime_value.amount, last_order_at: customer.order_stats.last_order_at }] as const;
          }),
        ),
      );
      if (JSON.stringify([...actual]) === JSON.stringify([...expected]) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(actual).toEqual(expected);
    const unpublished = await sql<{ n: string }>`SELECT count(*) AS n FROM order_events WHERE published_at IS NULL`.execute(stack.orderDb.db);
    expect(unpublished.rows[0]?.n).toBe('0');
  }, 120_000);
});
