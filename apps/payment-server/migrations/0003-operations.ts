import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The idempotency records of the money-moving tools (which cannot use the runtime's: they call the provider
 * outside any transaction) and the per-principal usage behind the rolling 24-hour limits.
 */
export const operationsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE payment_operations (
        id text PRIMARY KEY CHECK (id ~ '^op_[0-9a-hjkmnp-tv-z]{26}$'),
        principal_id text NOT NULL CHECK (char_length(principal_id) BETWEEN 1 AND 300),
        kind text NOT NULL CHECK (kind IN ('authorize', 'capture', 'void', 'refund')),
        idempotency_key text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 200),
        request_hash text NOT NULL,
        provider_key text NOT NULL UNIQUE,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        payment_id text NOT NULL,
        refund_id text,
        amount bigint CHECK (amount > 0),
        currency text CHECK (currency ~ '^[A-Z]{3}$'),
        params jsonb NOT NULL DEFAULT '{}',
        response jsonb,
        error jsonb,
        limit_bucket timestamptz,
        lease_expires_at timestamptz,
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        completed_at timestamptz(3),
        CONSTRAINT payment_operations_key UNIQUE (principal_id, kind, idempotency_key),
        CONSTRAINT payment_operations_completed_consistent CHECK ((status = 'pending') = (completed_at IS NULL)),
        CONSTRAINT payment_operations_outcome_stored CHECK (
          (status <> 'succeeded' OR response IS NOT NULL) AND (status <> 'failed' OR error IS NOT NULL))
      )`.execute(db);
    await sql`CREATE INDEX payment_operations_pending ON payment_operations (created_at) WHERE status = 'pending'`.execute(db);
    await sql`CREATE INDEX payment_operations_payment ON payment_operations (payment_id)`.execute(db);

    // One row per (principal, kind, currency, minute): the amounts of pending and succeeded operations created in
    // that minute. Summing at most 1441 rows keeps the limit check cheap however busy a principal is.
    await sql`
      CREATE TABLE payment_limit_usage (
        principal_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('authorize', 'refund')),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        bucket timestamptz NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0),
        PRIMARY KEY (principal_id, kind, currency, bucket)
      )`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE payment_limit_usage`.execute(db);
    await sql`DROP TABLE payment_operations`.execute(db);
  },
};
