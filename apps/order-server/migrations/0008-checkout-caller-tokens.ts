import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * `checkout_caller_tokens`: the access token of the caller who placed an order, sealed (AES-256-GCM under
 * CALLER_TOKEN_KEY, see src/service/token-sealer.ts), kept only while the order's checkout runs, so that the worker
 * that runs it — on any replica, after any restart — exchanges it (RFC 8693) for the tokens it calls the customer,
 * product and payment servers with on the caller's behalf. Its own table, not a column of `checkout_sagas`: the saga
 * rows are read by every workflow tool and by the analytics views, which must never carry it; the row goes when the
 * checkout ends.
 */
export const checkoutCallerTokensMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE checkout_caller_tokens (
        order_id text PRIMARY KEY REFERENCES checkout_sagas (order_id) ON DELETE CASCADE,
        sealed text NOT NULL,
        expires_at timestamptz(3) NOT NULL
      )`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE checkout_caller_tokens`.execute(db);
  },
};
