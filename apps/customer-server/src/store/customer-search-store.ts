import { sql } from 'kysely';
import type { Kysely, SqlBool } from 'kysely';
import type { CustomerStatus, CustomerTier } from '@mcpfed/contract-customer';
import { encodeCursor } from '@mcpfed/db';
import type { CustomerDatabase } from './customer-database.ts';
import { customerSearchFingerprint, decodeSearchCursor } from './customer-search-cursor.ts';

/** Sort orders of {@link CustomerSearchStore.search}. */
export type CustomerSort = 'relevance' | 'created_at_desc' | 'created_at_asc' | 'name_asc';

/** What {@link CustomerSearchStore.search} looks for. */
export interface CustomerSearchParams {
  /** Fuzzy text over names (and email when `matchEmail`); required for `relevance`. */
  query?: string | undefined;
  /**
   * Whether the query may match and score on the email. Only for callers who may see emails (`customer:pii`):
   * otherwise which customers come back, in what order and with what score would reveal their addresses.
   */
  matchEmail: boolean;
  /** Only this customer (the caller is bound to it); undefined = every customer. */
  customerId?: string | undefined;
  tier?: CustomerTier | undefined;
  status?: CustomerStatus | undefined;
  /** Inclusive lower bound of created_at. */
  createdFrom?: Date | undefined;
  /** Exclusive upper bound of created_at. */
  createdTo?: Date | undefined;
  sort: CustomerSort;
  /** Rows per page, 1-100. */
  limit: number;
  /** `next_cursor` of the previous page of the same search. */
  cursor?: string | undefined;
}

/** One search hit. */
export interface CustomerSummaryRow {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  tier: CustomerTier;
  status: CustomerStatus;
  created_at: Date;
  /** Combined trigram similarity 0-1; null without a query. */
  score: number | null;
}

/** A page of search hits. */
export interface CustomerSearchPage {
  rows: CustomerSummaryRow[];
  nextCursor: string | null;
}

/**
 * pg_trgm's `%` threshold for search candidates, set per search so a server-wide setting cannot change results.
 * Transposition typos pass through name_key ("jonh smiht" scores 0.29 on plain trigrams but 1.0 on the
 * letter-sorted key), so the default 0.3 is enough and keeps the candidate set small.
 */
const SIMILARITY_THRESHOLD = '0.3';

/** Repository of customer_search: fuzzy, filtered keyset pages over `customers`. */
export class CustomerSearchStore {
  readonly #db: Kysely<CustomerDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<CustomerDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /**
   * One page of a search, by keyset: the cursor carries the last row's sort key plus a fingerprint of the
   * search, so a cursor used with another query, filter or sort is refused (VALIDATION_FAILED) instead of
   * silently skipping rows.
   */
  async search(params: CustomerSearchParams): Promise<CustomerSearchPage> {
    const query = params.query?.toLowerCase();
    const sort = params.sort === 'relevance' && query === undefined ? 'created_at_desc' : params.sort;
    const fingerprint = customerSearchFingerprint({ ...params, sort, cursor: undefined, limit: 0 });
    const after = params.cursor === undefined ? undefined : decodeSearchCursor(params.cursor, fingerprint, sort);

    const run = async (db: Kysely<CustomerDatabase>): Promise<CustomerSearchPage> => {
      if (query !== undefined) {
        // set_config(..., true) is SET LOCAL: it ends with this transaction and never leaks to pooled connections.
        // PostgreSQL estimates `%` at a fixed selectivity and, on large tables, prefers a sequential scan that runs
        // similarity() on every row (~10x slower than the three trigram indexes); the search always wants the indexes.
        await sql`SELECT set_config('pg_trgm.similarity_threshold', ${SIMILARITY_THRESHOLD}, true), set_config('enable_seqscan', 'off', true)`.execute(db, {
          signal: this.#signal,
        });
      }
      const nameScore = sql<number>`(similarity(search_name, ${query}) + similarity(name_key, (SELECT customer_name_key(${query}))))::float8 / 2`;
      const nameMatch = sql<SqlBool>`search_name % ${query} OR name_key % (SELECT customer_name_key(${query}))`;
      const candidates = db
        .selectFrom('customers')
        .select(['id', 'email', 'first_name', 'last_name', 'tier', 'status', 'created_at', 'sort_name'])
        .select(
          query === undefined
            ? sql<number | null>`NULL::float8`.as('score')
            : params.matchEmail
              ? sql<number>`greatest(${nameScore}, similarity(lower(email), ${query})::float8)`.as('score')
              : nameScore.as('score'),
        )
        .$if(query !== undefined, (qb) => qb.where(params.matchEmail ? sql<SqlBool>`(${nameMatch} OR lower(email) % ${query})` : sql<SqlBool>`(${nameMatch})`))
        .$if(params.customerId !== undefined, (qb) => qb.where('id', '=', params.customerId as string))
        .$if(params.tier !== undefined, (qb) => qb.where('tier', '=', params.tier as CustomerTier))
        .$if(params.status !== undefined, (qb) => qb.where('status', '=', params.status as CustomerStatus))
        .$if(params.createdFrom !== undefined, (qb) => qb.where('created_at', '>=', params.createdFrom as Date))
        .$if(params.createdTo !== undefined, (qb) => qb.where('created_at', '<', params.createdTo as Date));

      let page = db.selectFrom(candidates.as('c')).selectAll('c');
      if (after !== undefined) {
        page = page.where((eb) => {
          const key = after.key;
          switch (sort) {
            case 'relevance':
              return eb.or([
                eb('c.score', '<', sql<number>`${key}::float8`),
                eb.and([eb('c.score', '=', sql<number>`${key}::float8`), eb('c.id', '>', after.id)]),
              ]);
            case 'created_at_desc':
              return eb(eb.refTuple('c.created_at', 'c.id'), '<', eb.tuple(key as Date, after.id));
            case 'created_at_asc':
              return eb(eb.refTuple('c.created_at', 'c.id'), '>', eb.tuple(key as Date, after.id));
            case 'name_asc':
              return eb(eb.refTuple('c.sort_name', 'c.id'), '>', eb.tuple(key as string, after.id));
          }
        });
      }
      switch (sort) {
        case 'relevance':
          page = page.orderBy('c.score', 'desc').orderBy('c.id', 'asc');
          break;
        case 'created_at_desc':
          page = page.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc');
          break;
        case 'created_at_asc':
          page = page.orderBy('c.created_at', 'asc').orderBy('c.id', 'asc');
          break;
        case 'name_asc':
          page = page.orderBy('c.sort_name', 'asc').orderBy('c.id', 'asc');
          break;
      }
      const rows = await page.limit(params.limit + 1).execute({ signal: this.#signal });
      const more = rows.length > params.limit;
      const visible = more ? rows.slice(0, params.limit) : rows;
      const last = visible.at(-1);
      const nextCursor =
        more && last !== undefined
          ? encodeCursor({
              q: fingerprint,
              k: sort === 'relevance' ? (last.score as number) : sort === 'name_asc' ? last.sort_name : last.created_at.toISOString(),
              id: last.id,
            })
          : null;
      return {
        rows: visible.map(({ sort_name: _sortName, ...row }) => row),
        nextCursor,
      };
    };
    if (query === undefined || this.#db.isTransaction) return run(this.#db);
    return this.#db.transaction().execute(run);
  }
}
