import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * `products` with its search machinery, the price history, and `product_words`: the lexicon of words in product
 * names, brands and categories that typo correction matches against (pg_trgm, on the word and on its letters
 * sorted).
 *
 * `search_vector` weighs the name (and SKU) A, brand and category B, description C. The lexicon is kept by
 * statement-level triggers, so every writer (tools, imports, seeds, plain SQL) keeps it complete at a cost of one
 * INSERT ... SELECT per statement rather than per row.
 */
export const productsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // pg_trgm and btree_gin are trusted extensions (PostgreSQL 13+): the database owner may create them without superuser.
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
    await sql`CREATE EXTENSION IF NOT EXISTS btree_gin`.execute(db);
    await sql`
      CREATE TABLE products (
        sku text PRIMARY KEY CHECK (sku ~ '^[A-Z0-9][A-Z0-9._-]{1,63}$'),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        brand text CHECK (char_length(brand) BETWEEN 1 AND 100),
        category text NOT NULL CHECK (category ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(category) <= 64),
        description text CHECK (char_length(description) <= 5000),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'draft', 'archived')),
        price_amount integer NOT NULL CHECK (price_amount >= 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        attributes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
        version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        archived_at timestamptz(3),
        search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', name || ' ' || translate(sku, '-_.', '   ')), 'A') ||
          setweight(to_tsvector('english', coalesce(brand, '') || ' ' || replace(category, '-', ' ')), 'B') ||
          setweight(to_tsvector('english', coalesce(description, '')), 'C')) STORED,
        CONSTRAINT products_archived_consistent CHECK ((status = 'archived') = (archived_at IS NOT NULL))
      )`.execute(db);
    // The category rides in the same GIN index (btree_gin): a text search within a category intersects the word
    // and category posting lists in the index instead of reading every word match from the table.
    await sql`CREATE INDEX products_search ON products USING gin (search_vector, category)`.execute(db);
    // Keyset paths of browsing without a text query: by price (within a category or not), newest, name.
    await sql`CREATE INDEX products_status_category_price ON products (status, category, price_amount, sku)`.execute(db);
    await sql`CREATE INDEX products_status_price ON products (status, price_amount, sku)`.execute(db);
    await sql`CREATE INDEX products_status_created ON products (status, created_at, sku)`.execute(db);
    await sql`CREATE INDEX products_status_name ON products (status, name, sku)`.execute(db);

    await sql`
      CREATE TABLE product_price_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        sku text NOT NULL REFERENCES products (sku),
        price_amount integer NOT NULL CHECK (price_amount >= 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        changed_at timestamptz(3) NOT NULL DEFAULT now(),
        changed_by text NOT NULL CHECK (char_length(changed_by) BETWEEN 1 AND 300),
        reason text CHECK (char_length(reason) BETWEEN 1 AND 500)
      )`.execute(db);
    await sql`CREATE INDEX product_price_history_sku ON product_price_history (sku, id)`.execute(db);

    // Letters sorted: a transposition typo ("auarlis" for "auralis") keeps the key while it breaks most trigrams.
    // COLLATE "C" keeps the function IMMUTABLE for real.
    await sql`
      CREATE FUNCTION product_word_key(word text) RETURNS text
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT coalesce(string_agg(ch, '' ORDER BY ch COLLATE "C"), '') FROM regexp_split_to_table(word, '') AS ch
      $fn$`.execute(db);
    await sql`
      CREATE TABLE product_words (
        word text PRIMARY KEY,
        word_key text GENERATED ALWAYS AS (product_word_key(word)) STORED
      )`.execute(db);
    await sql`CREATE INDEX product_words_trgm ON product_words USING gin (word gin_trgm_ops)`.execute(db);
    await sql`CREATE INDEX product_words_key_trgm ON product_words USING gin (word_key gin_trgm_ops)`.execute(db);
    // Letters-only words of 3-40 characters: a typo of a model number ("x200" for "x300") must not be "corrected".
    await sql`
      CREATE FUNCTION product_words_collect() RETURNS trigger
      LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO product_words (word)
        SELECT DISTINCT w.word
          FROM changed_products p,
               regexp_split_to_table(lower(p.name || ' ' || coalesce(p.brand, '') || ' ' || replace(p.category, '-', ' ')), '[^[:alpha:]]+') AS w(word)
         WHERE char_length(w.word) BETWEEN 3 AND 40
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END
      $fn$`.execute(db);
    // A trigger with transition tables serves one event only, hence two.
    await sql`
      CREATE TRIGGER products_words_insert AFTER INSERT ON products
      REFERENCING NEW TABLE AS changed_products FOR EACH STATEMENT EXECUTE FUNCTION product_words_collect()`.execute(db);
    await sql`
      CREATE TRIGGER products_words_update AFTER UPDATE ON products
      REFERENCING NEW TABLE AS changed_products FOR EACH STATEMENT EXECUTE FUNCTION product_words_collect()`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE product_words`.execute(db);
    await sql`DROP TABLE product_price_history`.execute(db);
    await sql`DROP TABLE products`.execute(db);
    await sql`DROP FUNCTION product_words_collect()`.execute(db);
    await sql`DROP FUNCTION product_word_key(text)`.execute(db);
  },
};
