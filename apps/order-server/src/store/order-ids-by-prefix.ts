import type { Kysely } from 'kysely';
import { prefixPattern } from '@mcpfed/db';
import type { OrderDatabase } from './order-database.ts';

/** Digits an order number has at most that completion looks at (bigint numbers past it are not issued). */
const MAX_NUMBER_DIGITS = 15;

/**
 * The query of {@link orderIdsByPrefix}: a range scan of `orders_id_prefix`, or of `orders_customer` for one
 * customer's orders, never a full scan (checked with EXPLAIN in test/completion-plans.int.test.ts).
 */
export function orderIdsByPrefixQuery(db: Kysely<OrderDatabase>, prefix: string, limit: number, customerId?: string) {
  let query = db.selectFrom('orders').select('id').where('id', 'like', prefixPattern(prefix));
  if (customerId !== undefined) query = query.where('customer_id', '=', customerId);
  return query.orderBy('id').limit(limit);
}

/** Up to `limit` order ids starting with `prefix`, in id order, of `customerId`'s orders when given. */
export async function orderIdsByPrefix(db: Kysely<OrderDatabase>, prefix: string, limit: number, options: { customerId?: string | undefined; signal?: AbortSignal | undefined }): Promise<string[]> {
  return (await orderIdsByPrefixQuery(db, prefix, limit, options.customerId).execute({ signal: options.signal })).map((row) => row.id);
}

/**
 * Up to `limit` ids of orders whose number starts with the digits `prefix`, in number order, of `customerId`'s
 * orders when given. The numbers starting with "12" are 12, 120–129, 1200–1299, …: one range per length, each a
 * scan of the unique index on `order_number`, asked in ascending order until `limit` are found.
 */
export async function orderIdsByNumberPrefix(db: Kysely<OrderDatabase>, prefix: string, limit: number, options: { customerId?: string | undefined; signal?: AbortSignal | undefined }): Promise<string[]> {
  const found: string[] = [];
  const base = BigInt(prefix);
  for (let extra = 0; prefix.length + extra <= MAX_NUMBER_DIGITS && found.length < limit; extra += 1) {
    const scale = 10n ** BigInt(extra);
    let query = db
      .selectFrom('orders')
      .select('id')
      .where('order_number', '>=', (base * scale).toString())
      .where('order_number', '<', ((base + 1n) * scale).toString());
    if (options.customerId !== undefined) query = query.where('customer_id', '=', options.customerId);
    const rows = await query.orderBy('order_number').limit(limit - found.length).execute({ signal: options.signal });
    found.push(...rows.map((row) => row.id));
  }
  return found;
}
