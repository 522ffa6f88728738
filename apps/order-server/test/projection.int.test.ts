import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderCancel, orderPlace, orderRefund } from '@mcpfed/contract-order';
import { sql } from '@mcpfed/db';
import { idempotencyKey } from '@mcpfed/testing';
import { startFederationStack, placedOrder } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';
import { projectionCaughtUp } from './projection-stats.ts';

let stack: FederationStack;

beforeAll(async () => {
  stack = await startFederationStack({ label: 'projection' });
  await stack.createProduct('PRJ-001', 1200, 500);
  await stack.createProduct('PRJ-002', 345, 500);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('the customer projection of order events', () => {
  it("after N orders (confirmed, failed, cancelled, refunded) each customer's statistics equal what the order database says", async () => {
    const customers = await Promise.all(Array.from({ length: 6 }, () => stack.createCustomer()));
    const orders = stack.client('order');
    const placed = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        orders
          .call(orderPlace, {
            customer_id: customers[i % customers.length] as string,
            lines:
              i % 3 === 0
                ? [
                    { sku: 'PRJ-001', quantity: 1 },
                    { sku: 'PRJ-002', quantity: 2 },
                  ]
                : [{ sku: 'PRJ-002', quantity: 1 + (i % 4) }],
            payment_method: i % 7 === 3 ? 'pm_card_declined' : 'pm_card_visa',
            idempotency_key: idempotencyKey(),
            wait_ms: 20_000,
          })
          .then(placedOrder),
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

    const { expected, actual } = await projectionCaughtUp(stack, customers, 30_000);
    expect([...expected.values()].some((e) => e.order_count > 0)).toBe(true);
    expect(actual).toEqual(expected);
    const unpublished = await sql<{ n: string }>`SELECT count(*) AS n FROM order_events WHERE published_at IS NULL`.execute(stack.orderDb.db);
    expect(unpublished.rows[0]?.n).toBe('0');
  }, 120_000);
});
