import type { Kysely } from 'kysely';
import { prefixPattern } from '@mcpfed/db';
import type { OrderDatabase } from './order-database.ts';

/** Digits an order number has at most that completion looks at (bigint numbers past it are not issued). */
const MAX_NUMBER_DIGITS = 15;

/**
 * The query of {@link OrderIdPrefixStore.byIdPrefix}: a range scan of `orders_id_prefix`, or of `orders_customer` for
 * one customer's orders, never a full scan (checked with EXPLAIN in test/completion-plans.int.test.ts).
 */
export function orderIdsByPrefixQuery(db: Kysely<OrderDatabase>, prefix: string, limit: number, customerId?: string) {
  let query = db.selectFrom('orders').select('id').where('id', 'like', prefixPattern(prefix));
  if (customerId !== undefined) query = query.where('customer_id', '=', customerId);
  return query.orderBy('id').limit(limit);
}

/** The completion queries of order ids: by the start of an id or of an order number, of one customer's orders when given. */
export class OrderIdPrefixStore {
  readonly #db: Kysely<OrderDatabase>;
  readonly #signal: AbortSignal;

  /** Over `db`; every query ends with `signal`. */
  constructor(db: Kysely<OrderDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** Up to `limit` order ids starting with `prefix`, in id order, of `customerId`'s orders when given. */
  async byIdPrefix(prefix: string, limit: number, customerId: string | undefined): Promise<string[]> {
    return (await orderIdsByPrefixQuery(this.#db, prefix, limit, customerId).execute({ signal: this.#signal })).map((row) => row.id);
  }

  /**
   * Up to `limit` ids of orders whose number starts with the digits `prefix`, in number order, of `customerId`'s
   * orders when given. The numbers starting with "12" are 12, 120–129, 1200–1299, …: one range per length, each a
   * scan of the unique index on `order_number`, asked in ascending order until `limit` are found.
   */
  async byNumberPrefix(prefix: string, limit: number, customerId: string | undefined): Promise<string[]> {
    const found: string[] = [];
    const base = BigInt(prefix);
    for (let extra = 0; prefix.length + extra <= MAX_NUMBER_DIGITS && found.length < limit; extra += 1) {
      const scale = 10n ** BigInt(extra);
      let query = this.#db
        .selectFrom('orders')
        .select('id')
        .where('order_number', '>=', (base * scale).toString())
        .where('order_number', '<', ((base + 1n) * scale).toString());
      if (customerId !== undefined) query = query.where('customer_id', '=', customerId);
      const rows = await query
        .orderBy('order_number')
        .limit(limit - found.length)
        .execute({ signal: this.#signal });
      found.push(...rows.map((row) => row.id));
    }
    return found;
  }
}
