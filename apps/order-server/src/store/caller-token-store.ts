import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { OrderDatabase } from './order-database.ts';

/** A sealed caller token as stored. */
export interface StoredCallerToken {
  readonly sealed: string;
  readonly expiresAt: Date;
}

/** SQL over `checkout_caller_tokens` (one sealed token per running checkout). */
export class CallerTokenStore {
  readonly #db: Kysely<OrderDatabase>;
  readonly #signal: AbortSignal;

  /** Over `db` (the pool, or the transaction the queries must join); every query ends with `signal`. */
  constructor(db: Kysely<OrderDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** Keeps the sealed token of an order's caller, in the order's transaction. */
  async insert(orderId: string, token: StoredCallerToken): Promise<void> {
    await this.#db
      .insertInto('checkout_caller_tokens')
      .values({ order_id: orderId, sealed: token.sealed, expires_at: token.expiresAt })
      .execute({ signal: this.#signal });
  }

  /** The sealed token of an order's caller, if one is kept. */
  async find(orderId: string): Promise<StoredCallerToken | undefined> {
    const row = await this.#db
      .selectFrom('checkout_caller_tokens')
      .select(['sealed', 'expires_at'])
      .where('order_id', '=', orderId)
      .executeTakeFirst({ signal: this.#signal });
    return row === undefined ? undefined : { sealed: row.sealed, expiresAt: new Date(row.expires_at) };
  }

  /**
   * Drops the tokens of up to `limit` checkouts that ended (completed or failed) but kept theirs: a process that died
   * between the saga's last write and its `forget`. A running checkout's row stays even once expired: its absence
   * would read as "placed without a token". Returns how many went.
   */
  async deleteEnded(limit: number): Promise<number> {
    const { rows } = await sql<{ order_id: string }>`
      DELETE FROM checkout_caller_tokens WHERE order_id IN (
        SELECT t.order_id FROM checkout_caller_tokens t JOIN checkout_sagas s ON s.order_id = t.order_id
         WHERE s.status IN ('completed', 'failed') LIMIT ${limit})
      RETURNING order_id`.execute(this.#db, { signal: this.#signal });
    return rows.length;
  }

  /** Drops it (the checkout ended, or the token expired). */
  async delete(orderId: string): Promise<void> {
    await this.#db.deleteFrom('checkout_caller_tokens').where('order_id', '=', orderId).execute({ signal: this.#signal });
  }
}
