import type { Kysely } from 'kysely';
import { customerReachOf } from '@mcpfed/auth';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { OrderDatabase } from '../store/order-database.ts';
import { OrderIdPrefixStore } from '../store/order-id-prefix-store.ts';

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
export async function completeOrderIds(
  db: Kysely<OrderDatabase>,
  prefix: string,
  limit: number,
  ctx: Pick<RequestContext, 'principal' | 'signal'>,
): Promise<string[]> {
  const reach = customerReachOf(ctx.principal);
  if (reach.kind === 'none') return [];
  const customerId = reach.kind === 'one' ? reach.customerId : undefined;
  const ids = new OrderIdPrefixStore(db, ctx.signal);
  if (PARTIAL_NUMBER.test(prefix)) return ids.byNumberPrefix(prefix, limit, customerId);
  const partial = prefix.toLowerCase();
  return PARTIAL_ID.test(partial) ? ids.byIdPrefix(partial, limit, customerId) : [];
}
