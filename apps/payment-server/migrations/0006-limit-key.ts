import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Daily limits count per caller, not per principal: a service acting for a caller (the order server's checkout)
 * counts under `<service>><caller>`. `payment_limit_usage.principal_id` now holds that limit key; each limited
 * operation records the key its amount was added under, so releasing it later (a decline, or the reconciler resolving
 * an abandoned operation) takes it out of the same total whoever resolves it. Operations claimed before this
 * migration keep NULL and were counted under their principal_id, which is what the code falls back to.
 */
export const limitKeyMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`ALTER TABLE payment_operations ADD COLUMN limit_key text`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`ALTER TABLE payment_operations DROP COLUMN limit_key`.execute(db);
  },
};
