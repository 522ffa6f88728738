import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** A customer's addresses, staff notes and timeline events. */
export const addressesNotesEventsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE addresses (
        id text PRIMARY KEY CHECK (id ~ '^adr_[0-9a-hjkmnp-tv-z]{26}$'),
        customer_id text NOT NULL REFERENCES customers (id),
        kind text NOT NULL CHECK (kind IN ('shipping', 'billing')),
        is_default boolean NOT NULL DEFAULT false,
        recipient_name text CHECK (char_length(recipient_name) BETWEEN 1 AND 200),
        line1 text NOT NULL CHECK (char_length(line1) BETWEEN 1 AND 200),
        line2 text CHECK (char_length(line2) BETWEEN 1 AND 200),
        city text NOT NULL CHECK (char_length(city) BETWEEN 1 AND 100),
        region text CHECK (char_length(region) BETWEEN 1 AND 100),
        postal_code text NOT NULL CHECK (char_length(postal_code) BETWEEN 1 AND 20),
        country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
    await sql`CREATE INDEX addresses_customer_id ON addresses (customer_id, created_at, id)`.execute(db);
    await sql`CREATE UNIQUE INDEX addresses_one_default_per_kind ON addresses (customer_id, kind) WHERE is_default`.execute(db);

    await sql`
      CREATE TABLE customer_notes (
        id text PRIMARY KEY CHECK (id ~ '^note_[0-9a-hjkmnp-tv-z]{26}$'),
        customer_id text NOT NULL REFERENCES customers (id),
        body text CHECK (char_length(body) BETWEEN 1 AND 5000),
        author text NOT NULL CHECK (char_length(author) BETWEEN 1 AND 300),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        erased_at timestamptz(3),
        CONSTRAINT customer_notes_erased_consistent CHECK ((body IS NULL) = (erased_at IS NOT NULL))
      )`.execute(db);
    await sql`CREATE INDEX customer_notes_customer_created ON customer_notes (customer_id, created_at, id)`.execute(db);

    await sql`
      CREATE TABLE customer_events (
        id text PRIMARY KEY CHECK (id ~ '^evt_[0-9a-hjkmnp-tv-z]{26}$'),
        customer_id text NOT NULL REFERENCES customers (id),
        type text NOT NULL CHECK (type ~ '^[a-z]+\\.[a-z_]+$'),
        occurred_at timestamptz(3) NOT NULL DEFAULT now(),
        actor text NOT NULL CHECK (char_length(actor) BETWEEN 1 AND 300),
        data jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(data) = 'object')
      )`.execute(db);
    await sql`CREATE INDEX customer_events_customer_time ON customer_events (customer_id, occurred_at, id)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE customer_events`.execute(db);
    await sql`DROP TABLE customer_notes`.execute(db);
    await sql`DROP TABLE addresses`.execute(db);
  },
};
