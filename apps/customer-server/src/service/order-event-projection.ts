import type { Kysely } from 'kysely';
import { orderEventSchema } from '@mcpfed/contract-order';
import { inTransaction } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { OrderStatsStore } from '../store/order-stats-store.ts';

/** What applying one order event did. */
export interface ProjectionOutcome {
  /** `applied`: the snapshot was new or newer; `stale`: a duplicate or an event older than the held snapshot. */
  readonly result: 'applied' | 'stale';
  readonly eventId: string;
  readonly orderId: string;
  /** Customers the event names that this database does not know: their snapshot is kept, no statistics written. */
  readonly unknownCustomers: readonly string[];
}

const MAX_ISSUES = 10;

/**
 * Applies one order event (the job data of `order-events.customer`) to the order statistics projection, in one
 * transaction: the order's snapshot replaces the held one only when its `order_version` is higher, and then the
 * statistics of the customer (both customers, should an order ever move) are derived again from the snapshots.
 * Duplicates and late events change nothing, so at-least-once and unordered delivery are harmless.
 * @throws AppError VALIDATION_FAILED (not retryable) when `data` is not an order event; nothing is written.
 */
export async function applyOrderEvent(db: Kysely<CustomerDatabase>, data: unknown, ctx: Pick<RequestContext, 'signal'>): Promise<ProjectionOutcome> {
  const parsed = orderEventSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, MAX_ISSUES).map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }));
    throw new AppError('VALIDATION_FAILED', `order event payload is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      details: { issues },
    });
  }
  const event = parsed.data;
  const snapshot = event.order;
  return inTransaction(db, async (trx) => {
    const store = new OrderStatsStore(trx, ctx.signal);
    const held = await store.heldCustomerOf(snapshot.order_id);
    // Sorted, so two transactions that lock the same two customers take the locks in the same order.
    const customers = [...new Set([snapshot.customer_id, ...(held === undefined ? [] : [held])])].sort();
    for (const customerId of customers) await store.lockCustomer(customerId);
    const applied = await store.upsertSnapshot(snapshot, event);
    const base = { eventId: event.id, orderId: snapshot.order_id };
    if (!applied) return { ...base, result: 'stale', unknownCustomers: [] };
    const unknownCustomers: string[] = [];
    for (const customerId of customers) {
      if (!(await store.customerExists(customerId))) {
        unknownCustomers.push(customerId);
        continue;
      }
      await store.writeStats(customerId, await store.derive(customerId));
    }
    return { ...base, result: 'applied', unknownCustomers };
  });
}
