import { sql } from '@mcpfed/db';
import type { Kysely, Migration } from '@mcpfed/db';

/**
 * The `approvals` table, created by the migrations of each server that gates operations on a person's approval.
 * One row per operation binding (tool, caller, idempotency key, arguments): the same call again finds its row, and
 * a decided row never changes again (see docs/security.md, "A person approves money").
 */
export const approvalsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE approvals (
        id text PRIMARY KEY,
        operation text NOT NULL,
        binding text NOT NULL UNIQUE,
        caller_principal text NOT NULL,
        caller_subject text NOT NULL,
        customer_id text,
        summary jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined', 'used')),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        decided_at timestamptz,
        decided_by text,
        used_at timestamptz,
        CHECK ((status = 'pending') = (decided_at IS NULL)),
        CHECK ((status = 'used') = (used_at IS NOT NULL))
      )`.execute(db);
    await sql`CREATE INDEX approvals_created_at ON approvals (created_at)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE approvals`.execute(db);
  },
};
