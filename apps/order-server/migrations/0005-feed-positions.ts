import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * `order_events.position` is the feed's order: handed out under one lock to committed events only, so positions
 * become visible in increasing order and a follower of `position > cursor` never skips an event whose transaction
 * committed late (the identity `sequence` is drawn at insert, not at commit). Existing events keep their sequence
 * as position, so cursors handed out before stay valid.
 */
export const feedPositionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`ALTER TABLE order_events ADD COLUMN position bigint`.execute(db);
    await sql`UPDATE order_events SET position = sequence`.execute(db);
    await sql`CREATE UNIQUE INDEX order_events_position ON order_events (position)`.execute(db);
    await sql`CREATE INDEX order_events_unpositioned ON order_events (sequence) WHERE position IS NULL`.execute(db);
    await sql`CREATE INDEX order_events_customer_position ON order_events (customer_id, position)`.execute(db);
    await sql`CREATE INDEX order_events_order_position ON order_events (order_id, position)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP INDEX order_events_order_position, order_events_customer_position, order_events_unpositioned, order_events_position`.execute(db);
    await sql`ALTER TABLE order_events DROP COLUMN position`.execute(db);
  },
};
