import { sql } from 'kysely';
import type { Kysely, SelectQueryBuilder, SqlBool } from 'kysely';
import { FACET_COUNT_LIMIT } from '@mcpfed/contract-product';
import { mapDatabaseError } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { ProductDatabase } from '../../store/product-database.ts';
import { PRODUCT_COLUMNS } from './product-store.ts';
import type { ProductWithAvailability } from './product-store.ts';
import type { ProductsTable } from './catalog-tables.ts';
import type { CategoryFacets, LexiconMatches, ProductFilter, SearchPosition, TextQuery } from './product-search-types.ts';

/** Sort orders of {@link ProductSearchStore.search}. */
export type ProductSort = 'relevance' | 'price_asc' | 'price_desc' | 'newest';

export { searchConnectionString } from './search-connection-string.ts';
export type { CategoryFacets, LexiconMatches, ProductFilter, SearchPosition, TextQuery } from './product-search-types.ts';

/** Relevance tiers, best first: 2 x field (2 name/SKU, 1 brand/category, 0 description) + 1 when typed. */
export const RELEVANCE_TIERS = [5, 4, 3, 2, 1, 0] as const;

/**
 * The shuffle slices of a tier read through the index, in values: 1/4096 of the catalog holds a page of a word
 * matching one product in 200, the next 16 values one in 3,000, the next 256 one in 50,000; the rest is read from
 * the matches (few by then), with every lower tier.
 */
const SLICES = [1, 16, 256] as const;
/** Slices ending at most here are read through the index (it reads every value below the end). */
const MAX_INDEXED_SLICE_END = 273;

/** One search hit. */
export interface SearchHit extends ProductWithAvailability {
  /** Relevance tier (0-5, see {@link RELEVANCE_TIERS}); null unless sorted by relevance. */
  score: number | null;
  /** `product_shuffle(sku)` (0-4095), the tie-break within a tier; only when sorted by relevance. */
  shuffle?: number;
}

type AliasedDb = ProductDatabase & { p: ProductsTable };
type ProductQuery = SelectQueryBuilder<AliasedDb, 'p', object>;

/** The SQL of product_search: full-text matching, filters, relevance ranking, keyset pages and facets. */
export class ProductSearchStore {
  readonly #db: Kysely<ProductDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<ProductDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /**
   * Looks the words up in the lexicon: which of them are in it, and, for each word (letters only, 3+ characters)
   * that is not, up to `max` lexicon words whose trigram similarity to it, or of their sorted letters to its sorted
   * letters, is at least `threshold`, most similar first. `%` finds candidates through the trigram indexes at
   * pg_trgm.similarity_threshold (0.3 by default, `threshold` on the search pool); the explicit test makes the
   * result the same on any connection.
   */
  async lexicon(words: readonly string[], correctable: readonly string[], threshold: number, max: number): Promise<LexiconMatches> {
    const out: LexiconMatches = { known: new Set(), corrections: new Map() };
    if (words.length === 0) return out;
    const rows = await sql<{ term: string; word: string | null; similarity: number | null }>`
      SELECT e.word AS term, NULL AS word, NULL::float8 AS similarity FROM product_words e WHERE e.word = ANY(${[...words]}::text[])
      UNION ALL
      SELECT q.term, w.word, w.similarity
        FROM unnest(${[...correctable]}::text[]) AS q(term)
        CROSS JOIN LATERAL (SELECT product_word_key(q.term) AS key) AS k
        CROSS JOIN LATERAL (
          SELECT pw.word, greatest(similarity(pw.word, q.term), similarity(pw.word_key, k.key))::float8 AS similarity
            FROM product_words pw
           WHERE (pw.word % q.term OR pw.word_key % k.key)
             AND greatest(similarity(pw.word, q.term), similarity(pw.word_key, k.key)) >= ${threshold}
           ORDER BY 2 DESC, pw.word
           LIMIT ${max}) AS w
       WHERE NOT EXISTS (SELECT 1 FROM product_words e WHERE e.word = q.term)`.execute(this.#db, { signal: this.#signal });
    for (const row of rows.rows) {
      if (row.word === null || row.similarity === null) out.known.add(row.term);
      else out.corrections.set(row.term, [...(out.corrections.get(row.term) ?? []), { word: row.word, similarity: row.similarity }]);
    }
    return out;
  }

  /** Which of these tsquery texts match at least one product (any status, no filter). */
  async matchesAny(queries: readonly string[]): Promise<boolean[]> {
    if (queries.length === 0) return [];
    const result = await sql<{ found: boolean }>`
      SELECT EXISTS (SELECT 1 FROM products p WHERE p.search_vector @@ to_tsquery('english', q.text)) AS found
        FROM unnest(${[...queries]}::text[]) WITH ORDINALITY AS q(text, n)
       ORDER BY q.n`.execute(this.#db, { signal: this.#signal });
    return result.rows.map((row) => row.found);
  }

  /** One page (limit + 1 rows, so the caller knows whether there is more) in the order of `sort`. */
  async search(text: TextQuery | undefined, filter: ProductFilter, sort: ProductSort, limit: number, after: SearchPosition | undefined): Promise<SearchHit[]> {
    if (sort === 'relevance' && text !== undefined) {
      return this.#byRelevance(text, filter, limit, after).catch((error: unknown) => {
        const mapped = mapDatabaseError(error);
        // The statement timeout (not the call's own deadline) cut the ranking short: the same query would again.
        if (AppError.is(mapped) && mapped.code === 'TIMEOUT' && !this.#signal.aborted) {
          throw new AppError('TIMEOUT', 'Too many matches to rank in time: add words or filters, or sort by price or newest.', {
            retryable: false,
            cause: error,
          });
        }
        throw error;
      });
    }
    return this.#sorted(text, filter, sort, limit, after);
  }

  /** Matches per category (the category filter left out), over at most FACET_COUNT_LIMIT matches. */
  async facets(text: TextQuery | undefined, filter: ProductFilter): Promise<CategoryFacets> {
    const matches = this.#matching(text, { ...filter, category: undefined })
      .select('p.category')
      .limit(FACET_COUNT_LIMIT);
    const rows = await this.#db
      .selectFrom(matches.as('m'))
      .select(['m.category', sql<number>`count(*)::int`.as('count')])
      .groupBy('m.category')
      .orderBy('count', 'desc')
      .orderBy('m.category')
      .execute({ signal: this.#signal });
    const total = rows.reduce((sum, row) => sum + row.count, 0);
    return { categories: rows, total, exact: total < FACET_COUNT_LIMIT };
  }

  /**
   * The page in relevance order (tier, then `product_shuffle(sku)`, then SKU), from the best tier, one shuffle slice
   * at a time ({@link SLICES}): the search index holds the shuffle value, so a slice reads only the matches within
   * it, and a broad word's page is found among a few dozen of them. When a tier's indexed slices do not fill the page,
   * the rest of it and every lower tier are read in one sorted statement. Every match lies in exactly one slice and
   * the slices are read in order, so the result is the exact order over all matches.
   */
  async #byRelevance(text: TextQuery, filter: ProductFilter, limit: number, after: SearchPosition | undefined): Promise<SearchHit[]> {
    // Without corrections every match has the words as typed: only the odd tiers can hold products.
    const tiers = RELEVANCE_TIERS.filter((tier) => (text.typed !== text.match || tier % 2 === 1) && (after === undefined || tier <= Number(after.key)));
    const top = tiers[0];
    if (top === undefined) return [];
    const start = after !== undefined && Number(after.key) === top ? after : undefined;
    const rows: SearchHit[] = [];
    let from = start?.shuffle ?? 0;
    for (const size of SLICES) {
      const to = from + size;
      if (to > MAX_INDEXED_SLICE_END) break;
      rows.push(...(await this.#slice(text, filter, top, { from, to }, limit + 1 - rows.length, start)));
      if (rows.length > limit) return rows;
      from = to;
    }
    // The rest of this tier and every lower tier in one read of the remaining matches, sorted: a tier this sparse
    // (or empty) costs its matches either way, and the lower tiers then need no slices of their own.
    rows.push(...(await this.#rest(text, filter, top, from, limit + 1 - rows.length, start)));
    return rows;
  }

  /** Up to `count` matches in relevance order: of tier `tier` from shuffle value `from` (after `after`), then of every lower tier. */
  async #rest(text: TextQuery, filter: ProductFilter, tier: number, from: number, count: number, after: SearchPosition | undefined): Promise<SearchHit[]> {
    // The tsqueries as scalar subqueries: parsed once per statement (InitPlans), not once per row.
    const has = (query: string) => sql<SqlBool>`p.search_vector @@ (SELECT to_tsquery('english', ${query}))`;
    const typed = text.typed === text.match ? sql`1` : sql`CASE WHEN ${has(text.typed)} THEN 1 ELSE 0 END`;
    const tierOf = sql<number>`(CASE WHEN ${has(text.name)} THEN 4 WHEN ${has(text.fields)} THEN 2 ELSE 0 END + ${typed})`;
    const shuffle = sql<number>`(product_shuffle(p.sku) + 0)`;
    const position = after === undefined ? sql`TRUE` : sql`(product_shuffle(p.sku), p.sku) > (${after.shuffle ?? 0}, ${after.sku})`;
    return this.#matching(text, filter)
      .where(sql<SqlBool>`((${tierOf} = ${tier} AND ${shuffle} >= ${from} AND ${position}) OR ${tierOf} < ${tier})`)
      .select(PRODUCT_COLUMNS)
      .select([availableOf('p.sku'), sql<number>`${tierOf}::float8`.as('score'), sql<number>`product_shuffle(p.sku)`.as('shuffle')])
      .orderBy(sql`${tierOf}`, 'desc')
      .orderBy(sql`product_shuffle(p.sku)`)
      .orderBy('p.sku')
      .limit(count)
      .execute({ signal: this.#signal });
  }

  /** Up to `count` products of one relevance tier in shuffle order, of shuffle values from..to-1, after `after`. */
  async #slice(
    text: TextQuery,
    filter: ProductFilter,
    tier: number,
    slice: { from: number; to: number },
    count: number,
    after: SearchPosition | undefined,
  ): Promise<SearchHit[]> {
    const has = (query: string) => sql<SqlBool>`p.search_vector @@ to_tsquery('english', ${query})`;
    const not = (query: string) => sql<SqlBool>`NOT (p.search_vector @@ to_tsquery('english', ${query}))`;
    const field = Math.floor(tier / 2);
    const conditions = field === 2 ? [has(text.name)] : field === 1 ? [not(text.name), has(text.fields)] : [not(text.fields)];
    if (text.typed !== text.match) conditions.push(tier % 2 === 1 ? has(text.typed) : not(text.typed));
    // Within the index a slice is `< to` on its third column: btree_gin reads the values from the lowest up to `to`
    // (a `>= from` would read from `from` to the highest, every value, so `from` is only a filter).
    const inSlice = sql<SqlBool>`product_shuffle(p.sku) < ${slice.to} AND (product_shuffle(p.sku) + 0) >= ${slice.from}`;
    let page = this.#matching(text, filter)
      .where((eb) => eb.and([...conditions, inSlice]))
      .select(PRODUCT_COLUMNS)
      .select([availableOf('p.sku'), sql<number>`${tier}::float8`.as('score'), sql<number>`product_shuffle(p.sku)`.as('shuffle')]);
    if (after !== undefined) {
      page = page.where((eb) => eb(eb.tuple(sql<number>`product_shuffle(p.sku)`, eb.ref('p.sku')), '>', eb.tuple(after.shuffle ?? 0, after.sku)));
    }
    return page
      .orderBy(sql`product_shuffle(p.sku)`)
      .orderBy('p.sku')
      .limit(count)
      .execute({ signal: this.#signal });
  }

  async #sorted(text: TextQuery | undefined, filter: ProductFilter, sort: ProductSort, limit: number, after: SearchPosition | undefined): Promise<SearchHit[]> {
    let page = this.#matching(text, filter)
      .select(PRODUCT_COLUMNS)
      .select(availableOf('p.sku'))
      .select(sql<null>`NULL::float8`.as('score'));
    if (after !== undefined) {
      page = page.where((eb) => {
        switch (sort) {
          case 'price_asc':
            return eb(eb.refTuple('p.price_amount', 'p.sku'), '>', eb.tuple(Number(after.key), after.sku));
          case 'price_desc':
            return eb(eb.refTuple('p.price_amount', 'p.sku'), '<', eb.tuple(Number(after.key), after.sku));
          default:
            return eb(eb.refTuple('p.created_at', 'p.sku'), '<', eb.tuple(new Date(String(after.key)), after.sku));
        }
      });
    }
    // With a text query the sort keys are wrapped so no btree can supply the order: walking the price index and
    // testing each row against the words reads most of the table when the words correlate with price (laptops are
    // all expensive). Matches come from the GIN index and are sorted; without words the btree order is right.
    const key = (column: 'p.price_amount' | 'p.created_at') =>
      text === undefined ? sql.ref(column) : sql`(${sql.ref(column)} + ${column === 'p.price_amount' ? sql`0` : sql`interval '0'`})`;
    switch (sort) {
      case 'price_asc':
        page = page.orderBy(key('p.price_amount')).orderBy('p.sku');
        break;
      case 'price_desc':
        page = page.orderBy(key('p.price_amount'), 'desc').orderBy('p.sku', 'desc');
        break;
      default:
        page = page.orderBy(key('p.created_at'), 'desc').orderBy('p.sku', 'desc');
    }
    return page.limit(limit + 1).execute({ signal: this.#signal });
  }

  /** Products matching the text (if any) and the filter. */
  #matching(text: TextQuery | undefined, filter: ProductFilter): ProductQuery {
    // With words, status and price are tested on the GIN matches instead of being read from their btrees: neither
    // is selective (most products are active, price ranges are wide), yet with a per-row filter such as in-stock
    // the planner likes to AND the GIN bitmap with a bitmap of most of a btree, which costs more than the tests.
    // `+ 0` and `|| ''` make the columns expressions no index covers.
    const price = text === undefined ? sql.ref<number>('p.price_amount') : sql<number>`(p.price_amount + 0)`;
    const status = text === undefined ? sql.ref<string>('p.status') : sql<string>`(p.status || '')`;
    return this.#db
      .selectFrom('products as p')
      .where(status, '=', filter.status)
      .$if(text !== undefined, (qb) => qb.where(sql<SqlBool>`p.search_vector @@ to_tsquery('english', ${text?.match ?? ''})`))
      .$if(filter.category !== undefined, (qb) => qb.where('p.category', '=', filter.category as string))
      .$if(filter.minPrice !== undefined, (qb) => qb.where(price, '>=', filter.minPrice as number))
      .$if(filter.maxPrice !== undefined, (qb) => qb.where(price, '<=', filter.maxPrice as number))
      .$if(filter.currency !== undefined, (qb) => qb.where('p.currency', '=', filter.currency as string))
      .$if(filter.inStock !== undefined, (qb) =>
        // A scalar subquery, not EXISTS: PostgreSQL would turn EXISTS into a semi-join that reads every stocked
        // level (hundreds of thousands); this probes the primary key of each candidate instead.
        qb.where(
          sql<SqlBool>`coalesce((SELECT max(l.available) FROM inventory_levels l WHERE l.sku = p.sku), 0) ${filter.inStock === true ? sql`>` : sql`<=`} 0`,
        ),
      );
  }
}

/** Units available over all locations of the product `skuColumn` names. */
function availableOf(skuColumn: 'p.sku' | 'c.sku') {
  return sql<number>`(SELECT coalesce(sum(l.available), 0)::int FROM inventory_levels l WHERE l.sku = ${sql.ref(skuColumn)})`.as('available');
}
