import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The lexicon's word rule as one function, `product_words_of(name, brand, category)`, used by the statement
 * triggers of `products` and by import batches that add their words ahead of their rows (so batches written side
 * by side never wait on each other's new words). The rule is unchanged: letters-only words of 3-40 characters of
 * the lower-cased name, brand and category (hyphens as spaces).
 */
export const lexiconWordsFunctionMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE FUNCTION product_words_of(name text, brand text, category text) RETURNS SETOF text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
        SELECT w.word
          FROM regexp_split_to_table(lower(name || ' ' || coalesce(brand, '') || ' ' || replace(category, '-', ' ')), '[^[:alpha:]]+') AS w(word)
         WHERE char_length(w.word) BETWEEN 3 AND 40
      $fn$`.execute(db);
    await sql`
      CREATE OR REPLACE FUNCTION product_words_collect() RETURNS trigger
      LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO product_words (word)
        SELECT DISTINCT w.word FROM changed_products p, product_words_of(p.name, p.brand, p.category) AS w(word)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END
      $fn$`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE OR REPLACE FUNCTION product_words_collect() RETURNS trigger
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
    await sql`DROP FUNCTION product_words_of(text, text, text)`.execute(db);
  },
};
