import { sql } from '@mcpfed/db';
import type { FederationStack } from './federation-stack.ts';

/** The rows of one order that money and stock tests assert exactly, across the order, payment and product databases. */
export interface MoneyRows {
  order: { status: string; version: number; amount_captured: string; refunded_amount: string; busy: boolean };
  lines: Array<{ sku: string; refunded_quantity: number }>;
  operations: Array<{ tool: string; status: string }>;
  events: string[];
  payments: Array<{
    status: string;
    void_reason: string | null;
    amount_authorized: string;
    amount_captured: string;
    amount_refunded: string;
    amount_refund_pending: string;
  }>;
  refunds: Array<{ amount: string; status: string; reason: string }>;
  ledger: string[];
  returned: Array<{ sku: string; location: string; delta_on_hand: number }>;
}

/** Reads {@link MoneyRows} of an order. */
export async function moneyRows(stack: FederationStack, orderId: string): Promise<MoneyRows> {
  const order = await sql<MoneyRows['order']>`
    SELECT status, version, amount_captured, refunded_amount, (to_jsonb(o) ->> 'busy_operation_id') IS NOT NULL AS busy
      FROM orders o WHERE id = ${orderId}`.execute(stack.orderDb.db);
  const lines = await sql<MoneyRows['lines'][number]>`
    SELECT sku, refunded_quantity FROM order_lines WHERE order_id = ${orderId} ORDER BY sku`.execute(stack.orderDb.db);
  const operations = await sql<MoneyRows['operations'][number]>`
    SELECT tool, coalesce(to_jsonb(o) ->> 'status', 'succeeded') AS status FROM order_operations o WHERE order_id = ${orderId} ORDER BY created_at, tool`.execute(
    stack.orderDb.db,
  );
  const events = await sql<{ type: string }>`SELECT type FROM order_events WHERE order_id = ${orderId} ORDER BY sequence`.execute(stack.orderDb.db);
  const payments = await sql<MoneyRows['payments'][number]>`
    SELECT status, void_reason, amount_authorized, amount_captured, amount_refunded, amount_refund_pending
      FROM payments WHERE order_ref = ${orderId} ORDER BY created_at`.execute(stack.paymentDb.db);
  const refunds = await sql<MoneyRows['refunds'][number]>`
    SELECT r.amount, r.status, r.reason FROM refunds r JOIN payments p ON p.id = r.payment_id
     WHERE p.order_ref = ${orderId} ORDER BY r.created_at`.execute(stack.paymentDb.db);
  const ledger = await sql<{ kind: string }>`
    SELECT t.kind FROM ledger_transactions t JOIN payments p ON p.id = t.payment_id WHERE p.order_ref = ${orderId} ORDER BY t.posted_at, t.kind`.execute(
    stack.paymentDb.db,
  );
  const returned = await sql<MoneyRows['returned'][number]>`
    SELECT sku, location, delta_on_hand FROM inventory_movements
     WHERE reference = ${orderId} AND reason = 'returned' ORDER BY sku, location, id`.execute(stack.productDb.db);
  const [row] = order.rows;
  if (row === undefined) throw new Error(`no order ${orderId}`);
  return {
    order: row,
    lines: lines.rows,
    operations: operations.rows,
    events: events.rows.map((e) => e.type),
    payments: payments.rows,
    refunds: refunds.rows,
    ledger: ledger.rows.map((l) => l.kind),
    returned: returned.rows,
  };
}

/** On-hand units of a sku, summed over its locations. */
export async function onHand(stack: FederationStack, sku: string): Promise<number> {
  const rows = await sql<{ on_hand: string }>`SELECT coalesce(sum(on_hand), 0) AS on_hand FROM inventory_levels WHERE sku = ${sku}`.execute(stack.productDb.db);
  return Number(rows.rows[0]?.on_hand ?? 0);
}

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last value read. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
