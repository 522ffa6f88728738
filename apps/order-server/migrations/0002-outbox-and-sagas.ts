import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The event outbox (written in the same transaction as the order change it reports, published by the relay),
 * the checkout sagas with their persisted step, and the idempotency records of the tools that call other
 * servers (cancel, refund, fulfill), whose effects are re-runnable so a record is only ever a stored response.
 */
export const outboxAndSagasMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE order_events (
        sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE CHECK (id ~ '^evt_[0-9a-hjkmnp-tv-z]{26}$'),
        order_id text NOT NULL REFERENCES orders (id),
        customer_id text NOT NULL,
        type text NOT NULL,
        status text NOT NULL,
        snapshot jsonb NOT NULL,
        occurred_at timestamptz(3) NOT NULL DEFAULT now(),
        published_at timestamptz(3)
      )`.execute(db);
    await sql`CREATE INDEX order_events_order ON order_events (order_id, sequence)`.execute(db);
    await sql`CREATE INDEX order_events_customer ON order_events (customer_id, sequence)`.execute(db);
    await sql`CREATE INDEX order_events_unpublished ON order_events (sequence) WHERE published_at IS NULL`.execute(db);

    await sql`
      CREATE TABLE checkout_sagas (
        order_id text PRIMARY KEY REFERENCES orders (id),
        status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'compensating', 'completed', 'failed')),
        step text NOT NULL,
        completed_steps text[] NOT NULL DEFAULT '{}',
        attempts integer NOT NULL DEFAULT 0,
        last_error jsonb,
        failure_reason text,
        failure_message text,
        started_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        finished_at timestamptz(3),
        CONSTRAINT checkout_sagas_finished CHECK ((status IN ('completed', 'failed')) = (finished_at IS NOT NULL))
      )`.execute(db);
    await sql`CREATE INDEX checkout_sagas_open ON checkout_sagas (updated_at) WHERE status IN ('running', 'compensating')`.execute(db);
    await sql`CREATE INDEX checkout_sagas_status ON checkout_sagas (status, updated_at, order_id)`.execute(db);

    await sql`
      CREATE TABLE order_operations (
        principal_id text NOT NULL,
        tool text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        order_id text NOT NULL REFERENCES orders (id),
        response jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (principal_id, tool, idempotency_key)
      )`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE order_operations`.execute(db);
    await sql`DROP TABLE checkout_sagas`.execute(db);
    await sql`DROP TABLE order_events`.execute(db);
  },
};
