import type { Kysely } from 'kysely';
import { prefixPattern } from '@mcpfed/db';
import type { PaymentDatabase } from './payment-database.ts';

/**
 * Up to `limit` payment ids starting with `prefix`, in id order, of `customerId`'s payments when given: a range scan
 * of `payments_id_prefix`, or of `payments_customer` for one customer's payments.
 */
export async function paymentIdsByPrefix(
  db: Kysely<PaymentDatabase>,
  prefix: string,
  limit: number,
  options: { customerId?: string | undefined; signal: AbortSignal },
): Promise<string[]> {
  let query = db.selectFrom('payments').select('id').where('id', 'like', prefixPattern(prefix));
  if (options.customerId !== undefined) query = query.where('customer_id', '=', options.customerId);
  return (await query.orderBy('id').limit(limit).execute({ signal: options.signal })).map((row) => row.id);
}
