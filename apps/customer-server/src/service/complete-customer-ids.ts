import type { Kysely } from 'kysely';
import { customerReachOf } from '@mcpfed/auth';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { CustomerStore } from '../store/customer-store.ts';

/** What a partial customer id may hold: the id alphabet, at most an id's length. Anything else completes to nothing. */
const PARTIAL_ID = /^[a-z0-9_]{0,30}$/;

/**
 * Completion of a customer id (prompts' `customer_id`, `customer://{id}`): the ids starting with `prefix` that the
 * caller reaches, as customer_get would let it read them — its own customer when bound, any with `customer:any`,
 * none otherwise.
 */
export async function completeCustomerIds(
  db: Kysely<CustomerDatabase>,
  prefix: string,
  limit: number,
  ctx: Pick<RequestContext, 'principal' | 'signal'>,
): Promise<string[]> {
  const partial = prefix.toLowerCase();
  const reach = customerReachOf(ctx.principal);
  if (!PARTIAL_ID.test(partial) || reach.kind === 'none') return [];
  if (reach.kind === 'one' && !reach.customerId.startsWith(partial)) return [];
  return new CustomerStore(db, ctx.signal).idsByPrefix(partial, limit, reach.kind === 'one' ? reach.customerId : undefined);
}
