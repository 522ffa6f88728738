import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The order statistics projection (docs/architecture.md §6): filled from the order domain's events, read with a
 * LEFT JOIN so a customer without a row has zero orders.
 */
export const customerOrderStatsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE customer_order_stats (
        customer_id text PRIMARY KEY REFERENCES customers (id),
        order_count integer NOT NULL DEFAULT 0 CHECK (order_count >= 0),
        lifetime_value_amount bigint NOT NULL DEFAULT 0 CHECK (lifetime_value_amount >= 0),
        currency text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
        last_order_at timestamptz(3),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE customer_order_stats`.execute(db);
  },
};
