import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The newest snapshot of every order the order domain told us about (docs/architecture.md §6): `customer_order_stats`
 * is derived from these rows, so duplicated and reordered events are harmless (a snapshot replaces the held one
 * only when its `order_version` is higher). No foreign key to `customers`: an event may name a customer this
 * database does not know, and its snapshot is kept so the statistics can be derived should it appear.
 */
export const customerOrderSnapshotsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE customer_order_snapshots (
        order_id text PRIMARY KEY,
        customer_id text NOT NULL,
        status text NOT NULL,
        order_version integer NOT NULL CHECK (order_version >= 0),
        counted boolean NOT NULL,
        total_amount bigint NOT NULL CHECK (total_amount >= 0),
        net_amount bigint NOT NULL CHECK (net_amount >= 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        placed_at timestamptz(3) NOT NULL,
        event_id text NOT NULL,
        event_sequence bigint NOT NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
    await sql`CREATE INDEX customer_order_snapshots_customer ON customer_order_snapshots (customer_id) INCLUDE (counted, currency, net_amount, placed_at)`.execute(
      db,
    );
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE customer_order_snapshots`.execute(db);
  },
};
