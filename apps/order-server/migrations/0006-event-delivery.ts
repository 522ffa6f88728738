import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * `order_events.delivered_at`: every subscriber's job of the event finished. Until then the relay checks that the
 * job still exists and publishes it again if Redis lost it. Events published before are taken as delivered.
 */
export const eventDeliveryMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`ALTER TABLE order_events ADD COLUMN delivered_at timestamptz(3)`.execute(db);
    await sql`UPDATE order_events SET delivered_at = published_at`.execute(db);
    await sql`CREATE INDEX order_events_undelivered ON order_events (published_at) WHERE published_at IS NOT NULL AND delivered_at IS NULL`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP INDEX order_events_undelivered`.execute(db);
    await sql`ALTER TABLE order_events DROP COLUMN delivered_at`.execute(db);
  },
};
