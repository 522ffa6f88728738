import { customerGet } from '@mcpfed/contract-customer';
import { sql } from '@mcpfed/db';
import type { FederationStack } from './federation-stack.ts';

/** A customer's order statistics as compared by the projection tests. */
export interface CustomerStats {
  order_count: number;
  lifetime_value: number;
  last_order_at: string | null;
}

/** Each customer's statistics as the order database says: confirmed orders that did not fail, net of refunds and cancellations. */
export async function expectedStats(stack: FederationStack, customerIds: readonly string[]): Promise<Map<string, CustomerStats>> {
  const rows = await sql<{ customer_id: string; n: string; net: string | null; last: Date | null }>`
    SELECT customer_id,
           count(*) FILTER (WHERE counted) AS n,
           sum(CASE WHEN status = 'cancelled' THEN 0 ELSE total_amount - refunded_amount END) FILTER (WHERE counted) AS net,
           max(placed_at) FILTER (WHERE counted) AS last
      FROM (SELECT *, confirmed_at IS NOT NULL AND status NOT IN ('pending', 'failed') AS counted FROM orders) o
     WHERE customer_id = ANY(${customerIds})
     GROUP BY customer_id`.execute(stack.orderDb.db);
  const expected = new Map<string, CustomerStats>(customerIds.map((id) => [id, { order_count: 0, lifetime_value: 0, last_order_at: null }]));
  for (const row of rows.rows) {
    expected.set(row.customer_id, { order_count: Number(row.n), lifetime_value: Number(row.net ?? 0), last_order_at: row.last?.toISOString() ?? null });
  }
  return expected;
}

/** Each customer's statistics as the customer server shows them (customer_get). */
export async function projectedStats(stack: FederationStack, customerIds: readonly string[]): Promise<Map<string, CustomerStats>> {
  return new Map(
    await Promise.all(
      customerIds.map(async (id) => {
        const customer = await stack.client('customer').call(customerGet, { id });
        const stats = customer.order_stats;
        return [id, { order_count: stats.order_count, lifetime_value: stats.lifetime_value.amount, last_order_at: stats.last_order_at }] as const;
      }),
    ),
  );
}

/** Polls until the customer server's statistics equal the order database's, or `timeoutMs` passes; returns both. */
export async function projectionCaughtUp(
  stack: FederationStack,
  customerIds: readonly string[],
  timeoutMs: number,
): Promise<{ expected: Map<string, CustomerStats>; actual: Map<string, CustomerStats> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const expected = await expectedStats(stack, customerIds);
    const actual = await projectedStats(stack, customerIds);
    if (JSON.stringify([...actual]) === JSON.stringify([...expected]) || Date.now() > deadline) return { expected, actual };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
