import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The sandbox provider's own records, in schema `sandbox` of the payment database: what a real provider would
 * keep on its side. Reconciliation compares them with the ledger; tests inject drift into them directly.
 * Nothing outside `src/service/provider/` reads or writes this schema.
 */
export const sandboxProviderMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`CREATE SCHEMA sandbox`.execute(db);
    await sql`
      CREATE TABLE sandbox.payment_methods (
        id text PRIMARY KEY,
        customer_ref text NOT NULL,
        token text NOT NULL,
        brand text NOT NULL,
        last4 text NOT NULL,
        exp_month integer NOT NULL,
        exp_year integer NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (customer_ref, token)
      )`.execute(db);
    await sql`
      CREATE TABLE sandbox.charges (
        id text PRIMARY KEY,
        payment_method_id text NOT NULL REFERENCES sandbox.payment_methods (id),
        behavior text NOT NULL,
        currency text NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0),
        amount_captured bigint NOT NULL DEFAULT 0 CHECK (amount_captured >= 0),
        amount_refunded bigint NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
        status text NOT NULL CHECK (status IN ('authorized', 'captured', 'voided', 'declined')),
        decline_code text,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
    await sql`CREATE INDEX sandbox_charges_created ON sandbox.charges (created_at, id)`.execute(db);
    await sql`CREATE INDEX sandbox_charges_order_ref ON sandbox.charges ((metadata ->> 'order_ref'))`.execute(db);
    await sql`
      CREATE TABLE sandbox.refunds (
        id text PRIMARY KEY,
        charge_id text NOT NULL REFERENCES sandbox.charges (id),
        amount bigint NOT NULL CHECK (amount > 0),
        reason text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
    await sql`
      CREATE TABLE sandbox.requests (
        idempotency_key text PRIMARY KEY,
        kind text NOT NULL,
        request_hash text NOT NULL,
        response jsonb,
        error jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP SCHEMA sandbox CASCADE`.execute(db);
  },
};
