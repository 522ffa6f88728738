import { reachesCustomer } from '@mcpfed/auth';
import type { CustomerReach } from '@mcpfed/auth';
import type { Kysely, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import { AppError } from '@mcpfed/errors';
import type { OrderStatus } from '@mcpfed/contract-order';
import type { LineAllocation, OrderDatabase, OrderLinesTable, OrdersTable } from './order-database.ts';

/** An order row. */
export type OrderRecord = Selectable<OrdersTable>;
/** An order line row. */
export type OrderLineRecord = Selectable<OrderLinesTable>;

/** A new order as order_place writes it. */
export interface NewOrder {
  id: string;
  principalId: string;
  idempotencyKey: string;
  requestHash: string;
  customerId: string;
  captureMode: 'immediate' | 'on_fulfillment';
  currency: string;
  shippingAddressId: string | null;
  paymentMethod: string;
  lines: ReadonlyArray<{ sku: string; quantity: number; unitPrice: number }>;
}

/** A keyset page request of {@link OrderStore.search}. */
export interface OrderSearchQuery {
  customerId?: string | undefined;
  status?: OrderStatus | undefined;
  placedFrom?: string | undefined;
  placedTo?: string | undefined;
  ascending: boolean;
  after?: { placed_at: string; id: string } | undefined;
  limit: number;
}

/** SQL over `orders` and `order_lines`. Every change bumps `version`. */
export class OrderStore {
  readonly #db: Kysely<OrderDatabase>;
  readonly #signal: AbortSignal;

  /** Over `db` (the pool, or the transaction the queries must join); every query ends with `signal`. */
  constructor(db: Kysely<OrderDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /**
   * Inserts the order and its lines unless the principal already used the idempotency key; returns the new row, or
   * undefined when the key was used. A concurrent insert with the same key waits on the unique index, then gets undefined.
   */
  async insert(order: NewOrder): Promise<OrderRecord | undefined> {
    const total = order.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
    const inserted = await this.#db
      .insertInto('orders')
      .values({
        id: order.id,
        principal_id: order.principalId,
        idempotency_key: order.idempotencyKey,
        request_hash: order.requestHash,
        customer_id: order.customerId,
        status: 'pending',
        capture_mode: order.captureMode,
        currency: order.currency,
        total_amount: total,
        shipping_address_id: order.shippingAddressId,
        payment_method: order.paymentMethod,
      })
      .onConflict((oc) => oc.columns(['principal_id', 'idempotency_key']).doNothing())
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
    if (inserted === undefined) return undefined;
    await this.#db
      .insertInto('order_lines')
      .values(
        order.lines.map((line, index) => ({
          order_id: order.id,
          line_no: index + 1,
          sku: line.sku,
          quantity: line.quantity,
          unit_price: line.unitPrice,
          line_total: line.unitPrice * line.quantity,
        })),
      )
      .execute({ signal: this.#signal });
    return inserted;
  }

  /** The order a principal placed with an idempotency key, if any. */
  async findByKey(principalId: string, key: string): Promise<OrderRecord | undefined> {
    return this.#db
      .selectFrom('orders')
      .selectAll()
      .where('principal_id', '=', principalId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst({ signal: this.#signal });
  }

  /** One order, if it exists. */
  async find(id: string): Promise<OrderRecord | undefined> {
    return this.#db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst({ signal: this.#signal });
  }

  /**
   * One order, or NOT_FOUND. With `forUpdate`, locks the row until the transaction ends. With `reach`, an order of a
   * customer the caller does not reach is NOT_FOUND too, with the same answer as a missing one (no existence leak).
   */
  async get(id: string, options: { forUpdate?: boolean; reach?: CustomerReach | undefined } = {}): Promise<OrderRecord> {
    let query = this.#db.selectFrom('orders').selectAll().where('id', '=', id);
    if (options.forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst({ signal: this.#signal });
    if (row === undefined || (options.reach !== undefined && !reachesCustomer(options.reach, row.customer_id))) {
      throw new AppError('NOT_FOUND', `No order ${id}. Find orders with order_search.`, { details: { order_id: id } });
    }
    return row;
  }

  /** One order by its number, or NOT_FOUND (also, like {@link get}, when `reach` does not cover its customer). */
  async getByNumber(orderNumber: number, reach?: CustomerReach): Promise<OrderRecord> {
    const row = await this.#db.selectFrom('orders').selectAll().where('order_number', '=', String(orderNumber)).executeTakeFirst({ signal: this.#signal });
    if (row === undefined || (reach !== undefined && !reachesCustomer(reach, row.customer_id))) {
      throw new AppError('NOT_FOUND', `No order number ${orderNumber}. Find orders with order_search.`, { details: { order_number: orderNumber } });
    }
    return row;
  }

  /** The lines of the given orders, by line number. */
  async lines(orderIds: readonly string[]): Promise<OrderLineRecord[]> {
    if (orderIds.length === 0) return [];
    return this.#db
      .selectFrom('order_lines')
      .selectAll()
      .where('order_id', 'in', orderIds)
      .orderBy('order_id')
      .orderBy('line_no')
      .execute({ signal: this.#signal });
  }

  /** Applies a change and bumps the version; returns the new row. */
  async update(id: string, patch: Updateable<OrdersTable>): Promise<OrderRecord> {
    return this.#db
      .updateTable('orders')
      .set({ ...patch, version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow({ signal: this.#signal });
  }

  /** Replaces the prices and allocations of the lines with what the reservation says. */
  async priceLines(orderId: string, lines: ReadonlyArray<{ sku: string; unitPrice: number; allocations: LineAllocation[] }>): Promise<void> {
    for (const line of lines) {
      await this.#db
        .updateTable('order_lines')
        .set({
          unit_price: line.unitPrice,
          line_total: sql<string>`quantity * ${line.unitPrice}::bigint`,
          allocations: JSON.stringify(line.allocations),
        })
        .where('order_id', '=', orderId)
        .where('sku', '=', line.sku)
        .execute({ signal: this.#signal });
    }
  }

  /** Adds refunded units to lines. */
  async addRefundedQuantities(orderId: string, lines: ReadonlyArray<{ sku: string; quantity: number }>): Promise<void> {
    for (const line of lines) {
      await this.#db
        .updateTable('order_lines')
        .set({ refunded_quantity: sql<number>`refunded_quantity + ${line.quantity}` })
        .where('order_id', '=', orderId)
        .where('sku', '=', line.sku)
        .execute({ signal: this.#signal });
    }
  }

  /** A keyset page of orders. */
  async search(query: OrderSearchQuery): Promise<OrderRecord[]> {
    let q = this.#db.selectFrom('orders').selectAll();
    if (query.customerId !== undefined) q = q.where('customer_id', '=', query.customerId);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.placedFrom !== undefined) q = q.where('placed_at', '>=', new Date(query.placedFrom));
    if (query.placedTo !== undefined) q = q.where('placed_at', '<', new Date(query.placedTo));
    if (query.after !== undefined) {
      const { placed_at: at, id } = query.after;
      q = query.ascending
        ? q.where(sql<boolean>`(placed_at, id) > (${at}::timestamptz, ${id})`)
        : q.where(sql<boolean>`(placed_at, id) < (${at}::timestamptz, ${id})`);
    }
    const direction = query.ascending ? 'asc' : 'desc';
    return q.orderBy('placed_at', direction).orderBy('id', direction).limit(query.limit).execute({ signal: this.#signal });
  }

  /** Counts and sums per UTC day, status and currency of orders placed in [from, to). */
  async summary(
    from: string,
    to: string,
  ): Promise<Array<{ day: string; status: OrderStatus; currency: string; orders: string; total_amount: string; refunded_amount: string }>> {
    const result = await sql<{ day: string; status: OrderStatus; currency: string; orders: string; total_amount: string; refunded_amount: string }>`
      SELECT to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, status, currency,
             count(*) AS orders, sum(total_amount) AS total_amount, sum(refunded_amount) AS refunded_amount
        FROM orders
       WHERE placed_at >= ${from}::timestamptz AND placed_at < ${to}::timestamptz
       GROUP BY 1, 2, 3
       ORDER BY 1, 2, 3`.execute(this.#db, { signal: this.#signal });
    return result.rows;
  }
}
