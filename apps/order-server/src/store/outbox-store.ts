import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { newId } from '@mcpfed/db';
import type { OrderEventType, OrderSnapshot, OrderStatus } from '@mcpfed/contract-order';
import type { OrderDatabase, OrderEventsTable } from './order-database.ts';

/** An outbox row. */
export type OutboxRecord = Selectable<OrderEventsTable>;

/** A page request of the event feed. */
export interface OutboxFeedQuery {
  afterSequence: number;
  orderId?: string | undefined;
  customerId?: string | undefined;
  types?: readonly string[] | undefined;
  limit: number;
}

/** SQL over `order_events`, the transactional outbox. */
export class OutboxStore {
  /** Appends an event in the caller's transaction (the one that changed the order). */
  async append(db: Kysely<OrderDatabase>, type: OrderEventType, snapshot: OrderSnapshot, signal?: AbortSignal): Promise<void> {
    await db
      .insertInto('order_events')
      .values({
        id: newId('evt'),
        order_id: snapshot.order_id,
        customer_id: snapshot.customer_id,
        type,
        status: snapshot.status as OrderStatus,
        snapshot: JSON.stringify(snapshot),
      })
      .execute({ signal });
  }

  /**
   * Locks up to `limit` unpublished events, oldest first, skipping rows another relay holds: call inside a
   * transaction that marks them published after delivery.
   */
  async lockUnpublished(db: Kysely<OrderDatabase>, limit: number): Promise<OutboxRecord[]> {
    return db
      .selectFrom('order_events')
      .selectAll()
      .where('published_at', 'is', null)
      .orderBy('sequence')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  }

  /** Marks events as delivered. */
  async markPublished(db: Kysely<OrderDatabase>, sequences: readonly string[]): Promise<void> {
    if (sequences.length === 0) return;
    await db.updateTable('order_events').set({ published_at: sql<Date>`now()` }).where('sequence', 'in', sequences).execute();
  }

  /** Events after a sequence, oldest first. */
  async feed(db: Kysely<OrderDatabase>, query: OutboxFeedQuery): Promise<OutboxRecord[]> {
    let q = db.selectFrom('order_events').selectAll().where('sequence', '>', String(query.afterSequence));
    if (query.orderId !== undefined) q = q.where('order_id', '=', query.orderId);
    if (query.customerId !== undefined) q = q.where('customer_id', '=', query.customerId);
    if (query.types !== undefined) q = q.where('type', 'in', query.types);
    return q.orderBy('sequence').limit(query.limit).execute();
  }

  /** The latest events of an order, newest first. */
  async history(db: Kysely<OrderDatabase>, orderId: string, limit: number): Promise<OutboxRecord[]> {
    return db.selectFrom('order_events').selectAll().where('order_id', '=', orderId).orderBy('sequence', 'desc').limit(limit).execute();
  }
}
