import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ProductDatabase } from '../../product-database.ts';
import type { ProductUpsertRow } from './product-upsert.ts';

/**
 * Adds the lexicon words of these rows (`product_words_of`, the rule the triggers of `products` apply) in a
 * statement of its own, before the rows are written. The triggers then find every word already committed, so a
 * batch holds no lock on a new word that a batch written beside it also adds. Words of rows that are never
 * written stay, as the words of a renamed product do: the lexicon only grows.
 * Sorted, so two such statements lock shared new words in the same order.
 */
export async function addLexiconWords(db: Kysely<ProductDatabase>, rows: readonly ProductUpsertRow[], signal?: AbortSignal): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO product_words (word)
    SELECT DISTINCT w.word
      FROM unnest(${rows.map((row) => row.name)}::text[], ${rows.map((row) => row.brand)}::text[], ${rows.map((row) => row.category)}::text[]) AS r(name, brand, category),
           product_words_of(r.name, r.brand, r.category) AS w(word)
     ORDER BY w.word
    ON CONFLICT DO NOTHING`.execute(db, signal === undefined ? {} : { signal });
}
