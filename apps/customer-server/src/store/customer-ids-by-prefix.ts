import type { Kysely } from 'kysely';
import { prefixPattern } from '@mcpfed/db';
import type { CustomerDatabase } from './customer-database.ts';

/**
 * Up to `limit` customer ids starting with `prefix`, in id order, optionally only `onlyId`: a range scan of
 * `customers_id_prefix` (text_pattern_ops), never a full scan.
 */
export async function customerIdsByPrefix(db: Kysely<CustomerDatabase>, prefix: string, limit: number, options: { onlyId?: string; signal?: AbortSignal | undefined } = {}): Promise<string[]> {
  let query = db.selectFrom('customers').select('id').where('id', 'like', prefixPattern(prefix));
  if (options.onlyId !== undefined) query = query.where('id', '=', options.onlyId);
  const rows = await query.orderBy('id').limit(limit).execute({ signal: options.signal });
  return rows.map((row) => row.id);
}
