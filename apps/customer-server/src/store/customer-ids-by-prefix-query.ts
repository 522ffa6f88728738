import type { Kysely } from 'kysely';
import { prefixPattern } from '@mcpfed/db';
import type { CustomerDatabase } from './customer-database.ts';

/**
 * The query of `CustomerStore.idsByPrefix`: up to `limit` customer ids starting with `prefix`, in id order,
 * optionally only `onlyId`. A range scan of `customers_id_prefix` (text_pattern_ops), never a full scan
 * (checked with EXPLAIN in test/completion-plans.int.test.ts).
 */
export function customerIdsByPrefixQuery(db: Kysely<CustomerDatabase>, prefix: string, limit: number, onlyId?: string) {
  let query = db.selectFrom('customers').select('id').where('id', 'like', prefixPattern(prefix));
  if (onlyId !== undefined) query = query.where('id', '=', onlyId);
  return query.orderBy('id').limit(limit);
}
