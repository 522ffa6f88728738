import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * `customers` with its search machinery: pg_trgm GIN indexes over the lower-cased name, the name's
 * letter-sorted key (so "jonh smiht" matches "john smith") and the email, plus one btree per keyset path.
 */
export const customersMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it without superuser.
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
    // Letter-sorted words: a transposition typo yields the same key. COLLATE "C" keeps it IMMUTABLE for real.
    await sql`
      CREATE FUNCTION customer_name_key(name text) RETURNS text
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT coalesce(string_agg(
                 (SELECT string_agg(ch, '' ORDER BY ch COLLATE "C") FROM regexp_split_to_table(t.word, '') AS ch),
                 ' ' ORDER BY t.ord), '')
        FROM regexp_split_to_table(lower(name), '[^[:alnum:]]+') WITH ORDINALITY AS t(word, ord)
        WHERE t.word <> ''
      $fn$`.execute(db);
    await sql`
      CREATE TABLE customers (
        id text PRIMARY KEY CHECK (id ~ '^cus_[0-9a-hjkmnp-tv-z]{26}$'),
        email text CHECK (char_length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
        first_name text CHECK (char_length(first_name) BETWEEN 1 AND 200),
        last_name text CHECK (char_length(last_name) BETWEEN 1 AND 200),
        phone text CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
        tier text NOT NULL DEFAULT 'standard' CHECK (tier IN ('standard', 'silver', 'gold', 'platinum')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'blocked', 'anonymized')),
        status_reason text CHECK (char_length(status_reason) BETWEEN 1 AND 500),
        version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        anonymized_at timestamptz(3),
        search_name text GENERATED ALWAYS AS (lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) STORED,
        name_key text GENERATED ALWAYS AS (customer_name_key(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) STORED,
        sort_name text GENERATED ALWAYS AS (lower(coalesce(last_name, '') || ' ' || coalesce(first_name, ''))) STORED,
        CONSTRAINT customers_anonymized_consistent CHECK ((status = 'anonymized') = (anonymized_at IS NOT NULL)),
        CONSTRAINT customers_personal_data_present CHECK (
          status = 'anonymized' OR (email IS NOT NULL AND first_name IS NOT NULL AND last_name IS NOT NULL)),
        CONSTRAINT customers_personal_data_erased CHECK (
          status <> 'anonymized' OR (email IS NULL AND first_name IS NULL AND last_name IS NULL AND phone IS NULL
                                     AND status_reason IS NULL))
      )`.execute(db);
    await sql`CREATE UNIQUE INDEX customers_email_lower_key ON customers (lower(email))`.execute(db);
    await sql`CREATE INDEX customers_search_name_trgm ON customers USING gin (search_name gin_trgm_ops)`.execute(db);
    await sql`CREATE INDEX customers_name_key_trgm ON customers USING gin (name_key gin_trgm_ops)`.execute(db);
    await sql`CREATE INDEX customers_email_trgm ON customers USING gin (lower(email) gin_trgm_ops)`.execute(db);
    await sql`CREATE INDEX customers_created_at_id ON customers (created_at, id)`.execute(db);
    await sql`CREATE INDEX customers_status_created_at_id ON customers (status, created_at, id)`.execute(db);
    await sql`CREATE INDEX customers_tier_created_at_id ON customers (tier, created_at, id)`.execute(db);
    await sql`CREATE INDEX customers_sort_name_id ON customers (sort_name, id)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE customers`.execute(db);
    await sql`DROP FUNCTION customer_name_key(text)`.execute(db);
  },
};
