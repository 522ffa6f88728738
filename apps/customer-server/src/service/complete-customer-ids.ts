import type { Kysely } from 'kysely';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { customerIdsByPrefix } from '../store/customer-ids-by-prefix.ts';
import type { Caller } from './caller.ts';

/** What a partial customer id may hold: the id alphabet, at most an id's length. Anything else completes to nothing. */
const PARTIAL_ID = /^[a-z0-9_]{0,30}$/;

/**
 * Completion of a customer id (prompts' `customer_id`, `customer://{id}`): the ids starting with `prefix` that the
 * caller reaches, as customer_get would let it read them — its own customer when bound, any with `customer:any`,
 * none otherwise.
 */
export async function completeCustomerIds(db: Kysely<CustomerDatabase>, caller: Caller, prefix: string, limit: number): Promise<string[]> {
  const partial = prefix.toLowerCase();
  if (!PARTIAL_ID.test(partial) || caller.reach.kind === 'none') return [];
  if (caller.reach.kind === 'one' && !caller.reach.customerId.startsWith(partial)) return [];
  return customerIdsByPrefix(db, partial, limit, { ...(caller.reach.kind === 'one' ? { onlyId: caller.reach.customerId } : {}), signal: caller.signal });
}
