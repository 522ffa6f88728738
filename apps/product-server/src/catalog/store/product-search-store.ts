import { sql } from 'kysely';
import type { Kysely, SelectQueryBuilder, SqlBool } from 'kysely';
import type { ProductStatus } from '@mcpfed/contract-product';
import { FACET_COUNT_LIMIT } from '@mcpfed/contract-product';
import { mapDatabaseError } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { ProductDatabase } from '../../store/product-database.ts';
import { PRODUCT_COLUMNS } from './product-store.ts';
import type { ProductWithAvailability } from './product-store.ts';
import type { ProductsTable } from './catalog-tables.ts';

/** Sort orders of {@link ProductSearchStore.search}. */
export type ProductSort = 'relevance' | 'price_asc' | 'price_desc' | 'newest';

/** The filters of a search (all optional except status). */
export interface ProductFilter {
  category?: string | undefined;
  /** Inclusive, integer minor units. */
  minPrice?: number | undefined;
  /** Inclusive, integer minor units. */
  maxPrice?: number | undefined;
  currency?: string | undefined;
  /** true: available > 0 somewhere; false: nowhere. */
  inStock?: boolean | undefined;
  status: ProductStatus;
}

/** What the lexicon says about the words of a query. */
export interface LexiconMatches {
  /** Words that are in the lexicon themselves. */
  known: Set<string>;
  /** Correction candidates of the words that are not, most similar first. */
  corrections: Map<string, Array<{ word: string; similarity: number }>>;
}

/**
 * The connection string of the search pool: `databaseUrl` with the planner settings full-text search needs as
 * startup options, so no search pays a transaction and SET LOCAL round trips for them. PostgreSQL estimates `@@`
 * at a fixed selectivity and, with a LIMIT, may prefer a sequential scan that tests every row, while the GIN
 * bitmap is bounded by the number of matches (enable_seqscan off); the per-row stock subqueries inflate cost
 * estimates past jit_above_cost and compiling a plan (~20 ms here) costs more than running it (jit off);
 * parallel workers only add latency under concurrent load; and `%` finds typo candidates from similarity 0.35.
 */
export function searchConnectionString(databaseUrl: string, correctionThreshold: number): string {
  const url = new URL(databaseUrl);
  const options = [
    url.searchParams.get('options') ?? '',
    '-c enable_seqscan=off -c jit=off -c max_parallel_workers_per_gather=0',
    `-c pg_trgm.similarity_threshold=${correctionThreshold}`,
  ];
  url.searchParams.set('options', options.join(' ').trim());
  return url.toString();
}

/** A parsed text query, as tsquery texts (see search-query.ts). */
export interface TextQuery {
  /** Every word group ANDed, each group the typed word OR its corrections, e.g. `(wirelss | wireless) & (headphones)`. */
  match: string;
  /** Each word as typed or its best correction, ORed: products containing them get a ranking bonus. */
  preferred: string;
}

/** Where a page starts: the sort key and SKU of the previous page's last row. */
export interface SearchPosition {
  key: number | string;
  sku: string;
}

/** One search hit. */
export interface SearchHit extends ProductWithAvailability {
  /** Text relevance; null unless sorted by relevance. */
  score: number | null;
}

/** Product counts per category of a search. */
export interface CategoryFacets {
  categories: Array<{ category: string; count: number }>;
  total: number;
  exact: boolean;
}

// ts_rank weights in PostgreSQL's {D, C, B, A} order: description (C) 0.2, brand/category (B) 0.4, name/SKU (A) 1.0.
const WEIGHTS = '{0.1, 0.2, 0.4, 1.0}';
// Normalization 0: no division by document length, which would let a product's description (weight C, the longest
// field) push down a product whose name matches just as well.
const NORMALIZATION = 0;
// Products containing the words as typed (or their closest correction) rank above those matched by a weaker one.
const TYPED_BONUS = 0.5;

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
   * Every match is ranked, then the page is cut by (score, SKU): the same query always ranks the same set, so the
   * best matches come first and a cursor continues exactly where the previous page ended. Only SKU and score of
   * the matches are kept while ranking (a top-N sort over them); the page's rows are read by primary key
   * afterwards. The work grows with the number of matches; the search pool's statement timeout bounds it
   * (search() turns that into a TIMEOUT that is not retryable).
   */
  async #byRelevance(text: TextQuery, filter: ProductFilter, limit: number, after: SearchPosition | undefined): Promise<SearchHit[]> {
    // The tsqueries as scalar subqueries: parsed once per statement (InitPlans), not once per ranked row.
    const match = sql`(SELECT to_tsquery('english', ${text.match}))`;
    const preferred = sql`(SELECT to_tsquery('english', ${text.preferred}))`;
    // One word without corrections makes both tsqueries the same: rank once (1.5 * r equals r + 0.5 * r exactly).
    const score =
      text.match === `(${text.preferred})`
        ? sql<number>`(${1 + TYPED_BONUS} * ts_rank(${WEIGHTS}::float4[], p.search_vector, ${match}, ${NORMALIZATION})::float8)`
        : sql<number>`(ts_rank(${WEIGHTS}::float4[], p.search_vector, ${match}, ${NORMALIZATION})::float8
      + ${TYPED_BONUS} * ts_rank(${WEIGHTS}::float4[], p.search_vector, ${preferred}, ${NORMALIZATION})::float8)`;
    const ranked = this.#matching(text, filter).select(['p.sku', score.as('score')]);
    return this.#db
      .selectFrom((eb) => {
        let page = eb.selectFrom(ranked.as('r')).select(['r.sku', 'r.score']);
        if (after !== undefined) {
          const key = Number(after.key);
          page = page.where((w) => w.or([w('r.score', '<', key), w.and([w('r.score', '=', key), w('r.sku', '>', after.sku)])]));
        }
        return page
          .orderBy('r.score', 'desc')
          .orderBy('r.sku')
          .limit(limit + 1)
          .as('c');
      })
      .innerJoin('products as p', 'p.sku', 'c.sku')
      .select(PRODUCT_COLUMNS)
      .select(['c.score', availableOf('p.sku')])
      .orderBy('c.score', 'desc')
      .orderBy('c.sku')
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
