import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * `payments_id_prefix`: completion of payment ids (`completion/complete`) is a `LIKE 'prefix%'` range scan of this
 * index in any database collation; a customer's payments come from `payments_customer`.
 */
export const paymentIdPrefixMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`CREATE INDEX payments_id_prefix ON payments (id text_pattern_ops)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP INDEX payments_id_prefix`.execute(db);
  },
};
