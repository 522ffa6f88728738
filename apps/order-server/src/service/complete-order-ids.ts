import type { Kysely } from 'kysely';
import type { OrderDatabase } from '../store/order-database.ts';
import { orderIdsByNumberPrefix, orderIdsByPrefix } from '../store/order-ids-by-prefix.ts';
import type { Caller } from './caller.ts';

/** A partial order id: the id alphabet, at most an id's length. */
const PARTIAL_ID = /^[a-z0-9_]{0,30}$/;
/** A partial order number: digits without a leading zero (numbers start at 1). */
const PARTIAL_NUMBER = /^[1-9][0-9]{0,14}$/;

/**
 * Completion of an order id (`order_id` of order_support_triage, `order://{id}`), scoped as order_get reads: a bound
 * caller's own customer's orders, every order with `customer:any`, none otherwise. Typed digits are taken as the
 * start of an order number (what a customer quotes) and complete to the ids of those orders, in number order;
 * anything else as the start of an id.
 */
export async function completeOrderIds(db: Kysely<OrderDatabase>, caller: Caller, prefix: string, limit: number): Promise<string[]> {
  if (caller.reach.kind === 'none') return [];
  const options = { customerId: caller.reach.kind === 'one' ? caller.reach.customerId : undefined, signal: caller.signal };
  if (PARTIAL_NUMBER.test(prefix)) return orderIdsByNumberPrefix(db, prefix, limit, options);
  const partial = prefix.toLowerCase();
  return PARTIAL_ID.test(partial) ? orderIdsByPrefix(db, partial, limit, options) : [];
}
