import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * `customers_id_prefix`: completion of customer ids (`completion/complete`) is a `LIKE 'prefix%'` range scan of this
 * index in any database collation; the primary key serves it only under the C collation.
 */
export const customerIdPrefixMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`CREATE INDEX customers_id_prefix ON customers (id text_pattern_ops)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP INDEX customers_id_prefix`.execute(db);
  },
};
