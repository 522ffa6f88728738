import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * `order_operations` become claims: order_cancel / order_refund / order_fulfill insert their row `pending`, store
 * their plan and mark the order busy (`orders.busy_operation_id`) in one transaction before any remote call, so a
 * concurrent operation on the same order is refused before anything moves, and a claim whose process died is
 * finished by a retry with the same key or by the sweeper (lease). Rows written before were finished operations.
 */
export const operationClaimsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      ALTER TABLE order_operations
        ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY,
        ADD COLUMN status text NOT NULL DEFAULT 'succeeded',
        ADD COLUMN plan jsonb,
        ADD COLUMN error jsonb,
        ADD COLUMN lease_expires_at timestamptz(3),
        ADD COLUMN attempts integer NOT NULL DEFAULT 1,
        ADD COLUMN updated_at timestamptz(3) NOT NULL DEFAULT now(),
        ADD COLUMN completed_at timestamptz(3)`.execute(db);
    await sql`UPDATE order_operations SET completed_at = created_at, updated_at = created_at`.execute(db);
    await sql`
      ALTER TABLE order_operations
        ALTER COLUMN status SET DEFAULT 'pending',
        ADD CONSTRAINT order_operations_id UNIQUE (id),
        ADD CONSTRAINT order_operations_status CHECK (status IN ('pending', 'succeeded', 'failed')),
        ADD CONSTRAINT order_operations_outcome CHECK (
          (status = 'succeeded') = (response IS NOT NULL)
          AND (status = 'failed') = (error IS NOT NULL)
          AND (status = 'pending') = (completed_at IS NULL))`.execute(db);
    await sql`CREATE INDEX order_operations_pending ON order_operations (updated_at) WHERE status = 'pending'`.execute(db);
    await sql`ALTER TABLE orders ADD COLUMN busy_operation_id bigint REFERENCES order_operations (id)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`ALTER TABLE orders DROP COLUMN busy_operation_id`.execute(db);
    await sql`DROP INDEX order_operations_pending`.execute(db);
    await sql`DELETE FROM order_operations WHERE status <> 'succeeded'`.execute(db);
    await sql`
      ALTER TABLE order_operations
        DROP CONSTRAINT order_operations_outcome,
        DROP CONSTRAINT order_operations_status,
        DROP CONSTRAINT order_operations_id,
        DROP COLUMN completed_at, DROP COLUMN updated_at, DROP COLUMN attempts, DROP COLUMN lease_expires_at,
        DROP COLUMN error, DROP COLUMN plan, DROP COLUMN status, DROP COLUMN id`.execute(db);
  },
};
