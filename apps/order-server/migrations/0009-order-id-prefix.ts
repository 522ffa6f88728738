import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * `orders_id_prefix`: completion of order ids (`completion/complete`) is a `LIKE 'prefix%'` range scan of this
 * index in any database collation; the primary key serves it only under the C collation. Order numbers complete
 * from the existing unique index on `order_number`, a customer's orders from `orders_customer`.
 */
export const orderIdPrefixMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`CREATE INDEX orders_id_prefix ON orders (id text_pattern_ops)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP INDEX orders_id_prefix`.execute(db);
  },
};
