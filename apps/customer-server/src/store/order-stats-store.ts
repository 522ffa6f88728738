import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { OrderSnapshot } from '@mcpfed/contract-order';
import type { CustomerDatabase } from './customer-database.ts';

/** The statistics of one customer as derived from the held snapshots. */
export interface DerivedOrderStats {
  orderCount: number;
  lifetimeValueAmount: number;
  currency: string;
  lastOrderAt: Date | null;
}

/** Currency of a stats row when the customer has no snapshot at all (the table's default). */
const DEFAULT_CURRENCY = 'EUR';

/**
 * Repository of the order statistics projection: `customer_order_snapshots` (newest snapshot per order) and
 * `customer_order_stats` (one row per customer, derived from the snapshots). Call its methods inside one
 * transaction per event, after {@link lockCustomer}.
 */
export class OrderStatsStore {
  readonly #db: Kysely<CustomerDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<CustomerDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /**
   * Serialises the projection work of one customer until the transaction ends (an advisory lock, so customer
   * rows stay free for the tools). Without it two events of one customer applied at once would each derive the
   * statistics without the other's snapshot, and the last commit would lose an order.
   */
  async lockCustomer(customerId: string): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`customer_order_stats:${customerId}`}, 0))`.execute(this.#db, { signal: this.#signal });
  }

  /** Whether a customer of this id exists (anonymized customers included: they keep their statistics). */
  async customerExists(customerId: string): Promise<boolean> {
    const row = await this.#db.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst({ signal: this.#signal });
    return row !== undefined;
  }

  /** The customer of the held snapshot of an order, if one is held. */
  async heldCustomerOf(orderId: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('customer_order_snapshots')
      .select('customer_id')
      .where('order_id', '=', orderId)
      .executeTakeFirst({ signal: this.#signal });
    return row?.customer_id;
  }

  /**
   * Stores `snapshot` unless a snapshot of the same order with the same or a higher `order_version` is held (a
   * duplicate or a late event). Returns whether it was stored.
   */
  async upsertSnapshot(snapshot: OrderSnapshot, event: { id: string; sequence: number }): Promise<boolean> {
    const values = {
      order_id: snapshot.order_id,
      customer_id: snapshot.customer_id,
      status: snapshot.status,
      order_version: snapshot.order_version,
      counted: snapshot.counted,
      total_amount: snapshot.total_amount,
      net_amount: snapshot.net_amount,
      currency: snapshot.currency,
      placed_at: snapshot.placed_at,
      event_id: event.id,
      event_sequence: event.sequence,
    };
    const { order_id: _key, ...changes } = values;
    const row = await this.#db
      .insertInto('customer_order_snapshots')
      .values(values)
      .onConflict((oc) =>
        oc
          .column('order_id')
          .doUpdateSet({ ...changes, updated_at: sql`now()` })
          .where('customer_order_snapshots.order_version', '<', snapshot.order_version),
      )
      .returning('order_id')
      .executeTakeFirst({ signal: this.#signal });
    return row !== undefined;
  }

  /**
   * Derives a customer's statistics from the held snapshots (see the README for the currency rule): the counted
   * orders, the sum of their `net_amount` in the customer's main currency (the currency of most counted orders,
   * ties to the newest), and the newest `placed_at` of a counted order.
   */
  async derive(customerId: string): Promise<DerivedOrderStats> {
    const result = await sql<{ order_count: string; lifetime_value_amount: string; currency: string | null; last_order_at: Date | null }>`
      WITH counted AS (
        SELECT currency, net_amount, placed_at FROM customer_order_snapshots WHERE customer_id = ${customerId} AND counted
      ), main AS (
        SELECT currency FROM counted GROUP BY currency ORDER BY count(*) DESC, max(placed_at) DESC, currency LIMIT 1
      )
      SELECT
        (SELECT count(*) FROM counted) AS order_count,
        (SELECT coalesce(sum(net_amount), 0) FROM counted WHERE currency = (SELECT currency FROM main)) AS lifetime_value_amount,
        coalesce(
          (SELECT currency FROM main),
          (SELECT currency FROM customer_order_snapshots WHERE customer_id = ${customerId} ORDER BY placed_at DESC, order_id DESC LIMIT 1)
        ) AS currency,
        (SELECT max(placed_at) FROM counted) AS last_order_at`.execute(this.#db, { signal: this.#signal });
    const row = result.rows[0];
    return {
      orderCount: Number(row?.order_count ?? 0),
      lifetimeValueAmount: Number(row?.lifetime_value_amount ?? 0),
      currency: row?.currency ?? DEFAULT_CURRENCY,
      lastOrderAt: row?.last_order_at ?? null,
    };
  }

  /** Writes a customer's `customer_order_stats` row (the customer must exist: the table references it). */
  async writeStats(customerId: string, stats: DerivedOrderStats): Promise<void> {
    const values = {
      order_count: stats.orderCount,
      lifetime_value_amount: stats.lifetimeValueAmount,
      currency: stats.currency,
      last_order_at: stats.lastOrderAt,
    };
    await this.#db
      .insertInto('customer_order_stats')
      .values({ customer_id: customerId, ...values })
      .onConflict((oc) => oc.column('customer_id').doUpdateSet({ ...values, updated_at: sql`now()` }))
      .execute({ signal: this.#signal });
  }
}
