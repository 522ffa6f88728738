import type { Kysely } from 'kysely';
import type { OrderDatabase } from './order-database.ts';

/** A sealed caller token as stored. */
export interface StoredCallerToken {
  readonly sealed: string;
  readonly expiresAt: Date;
}

/** SQL over `checkout_caller_tokens` (one sealed token per running checkout). */
export class CallerTokenStore {
  /** Keeps the sealed token of an order's caller, in the order's transaction. */
  async insert(db: Kysely<OrderDatabase>, orderId: string, token: StoredCallerToken): Promise<void> {
    await db.insertInto('checkout_caller_tokens').values({ order_id: orderId, sealed: token.sealed, expires_at: token.expiresAt }).execute();
  }

  /** The sealed token of an order's caller, if one is kept. */
  async find(db: Kysely<OrderDatabase>, orderId: string): Promise<StoredCallerToken | undefined> {
    const row = await db.selectFrom('checkout_caller_tokens').select(['sealed', 'expires_at']).where('order_id', '=', orderId).executeTakeFirst();
    return row === undefined ? undefined : { sealed: row.sealed, expiresAt: new Date(row.expires_at) };
  }

  /** Drops it (the checkout ended, or the token expired). */
  async delete(db: Kysely<OrderDatabase>, orderId: string): Promise<void> {
    await db.deleteFrom('checkout_caller_tokens').where('order_id', '=', orderId).execute();
  }
}
