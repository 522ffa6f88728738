import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { newId } from '@mcpfed/db';
import type { OrderEventType, OrderSnapshot, OrderStatus } from '@mcpfed/contract-order';
import type { OrderDatabase, OrderEventsTable } from './order-database.ts';

/** An outbox row. */
export type OutboxRecord = Selectable<OrderEventsTable>;

/** A page request of the event feed. */
export interface OutboxFeedQuery {
  /** The feed position after which to read (0: from the start). */
  afterPosition: number;
  orderId?: string | undefined;
  customerId?: string | undefined;
  types?: readonly string[] | undefined;
  limit: number;
}

/** The advisory lock key under which feed positions are handed out (one sequencer at a time, any replica). */
const SEQUENCER_LOCK = sql`hashtextextended('order_events.position', 0)`;

/** SQL over `order_events`, the transactional outbox. */
export class OutboxStore {
  readonly #db: Kysely<OrderDatabase>;
  readonly #signal: AbortSignal;

  /** Over `db` (the pool, or the transaction the queries must join); every query ends with `signal`. */
  constructor(db: Kysely<OrderDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** Appends an event in the caller's transaction (the one that changed the order). */
  async append(type: OrderEventType, snapshot: OrderSnapshot): Promise<void> {
    await this.#db
      .insertInto('order_events')
      .values({
        id: newId('evt'),
        order_id: snapshot.order_id,
        customer_id: snapshot.customer_id,
        type,
        status: snapshot.status as OrderStatus,
        snapshot: JSON.stringify(snapshot),
      })
      .execute({ signal: this.#signal });
  }

  /**
   * Gives committed events without a position the next positions, in `sequence` order, and returns how many. Runs
   * in its own transaction under a transaction-scoped advisory lock: the next sequencer starts only after this one
   * committed, so positions become visible in increasing order and a reader of `position > n` can never see a
   * position before a smaller one. An event whose transaction commits late gets a later position, never a gap
   * behind a cursor. (The identity `sequence` is drawn at insert: concurrent transactions commit out of its order.)
   */
  async assignPositions(limit: number): Promise<number> {
    return this.#db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK})`.execute(trx, { signal: this.#signal });
      const result = await sql`
        WITH next AS (
          SELECT sequence, row_number() OVER (ORDER BY sequence) AS n
            FROM (SELECT sequence FROM order_events WHERE position IS NULL ORDER BY sequence LIMIT ${limit}) unpositioned
        ), base AS (SELECT coalesce(max(position), 0) AS last FROM order_events)
        UPDATE order_events e SET position = base.last + next.n
          FROM next, base
         WHERE e.sequence = next.sequence`.execute(trx, { signal: this.#signal });
      return Number(result.numAffectedRows ?? 0);
    });
  }

  /**
   * Locks up to `limit` unpublished events that have a position, in feed order, skipping rows another relay holds:
   * call inside a transaction that marks them published after delivery.
   */
  async lockUnpublished(limit: number): Promise<OutboxRecord[]> {
    return this.#db
      .selectFrom('order_events')
      .selectAll()
      .where('published_at', 'is', null)
      .where('position', 'is not', null)
      .orderBy('position')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute({ signal: this.#signal });
  }

  /** Marks events as handed to the subscribers' queues. */
  async markPublished(sequences: readonly string[]): Promise<void> {
    await this.#stamp('published_at', sequences);
  }

  /**
   * Locks up to `limit` events published at least `olderThanMs` ago whose delivery is not confirmed yet, oldest
   * first, skipping rows another relay holds.
   */
  async lockUndelivered(olderThanMs: number, limit: number): Promise<OutboxRecord[]> {
    return this.#db
      .selectFrom('order_events')
      .selectAll()
      .where('published_at', 'is not', null)
      .where('delivered_at', 'is', null)
      .where('published_at', '<=', sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000})`)
      .orderBy('published_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute({ signal: this.#signal });
  }

  /** Records that every subscriber's job of these events finished. */
  async markDelivered(sequences: readonly string[]): Promise<void> {
    await this.#stamp('delivered_at', sequences);
  }

  /** Sets one of the relay's timestamps of these events to now. */
  async #stamp(column: 'published_at' | 'delivered_at', sequences: readonly string[]): Promise<void> {
    if (sequences.length === 0) return;
    await this.#db
      .updateTable('order_events')
      .set({ [column]: sql<Date>`now()` })
      .where('sequence', 'in', sequences)
      .execute({ signal: this.#signal });
  }

  /** Events after a feed position, in feed order (events not positioned yet are not part of the feed). */
  async feed(query: OutboxFeedQuery): Promise<OutboxRecord[]> {
    let q = this.#db.selectFrom('order_events').selectAll().where('position', '>', String(query.afterPosition));
    if (query.orderId !== undefined) q = q.where('order_id', '=', query.orderId);
    if (query.customerId !== undefined) q = q.where('customer_id', '=', query.customerId);
    if (query.types !== undefined) q = q.where('type', 'in', query.types);
    return q.orderBy('position').limit(query.limit).execute({ signal: this.#signal });
  }

  /** The latest events of an order, newest first. */
  async history(orderId: string, limit: number): Promise<OutboxRecord[]> {
    return this.#db
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('sequence', 'desc')
      .limit(limit)
      .execute({ signal: this.#signal });
  }
}
