import { sql } from 'kysely';
import type { CompiledQuery, Kysely, Selectable, SqlBool } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { z } from 'zod';
import { decodeCursor, encodeCursor, searchFingerprint } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import { customerNotFound } from './customer-not-found.ts';
import type { CustomerStatus, CustomerTier } from '@mcpfed/contract-customer';
import type { AddressRow } from './address-store.ts';
import type { CustomerDatabase, CustomersTable } from './customer-database.ts';
import { customerIdsByPrefixQuery } from './customer-ids-by-prefix-query.ts';
import { toDate } from './to-date.ts';

/** A `customers` row as the service sees it (the generated search columns left out). */
export type CustomerRow = Omit<Selectable<CustomersTable>, 'search_name' | 'name_key' | 'sort_name'>;

/** The order statistics projection of one customer; zeros when the projection has no row. */
export interface OrderStatsRow {
  order_count: number;
  lifetime_value_amount: number;
  currency: string;
  last_order_at: Date | null;
}

/** A customer with everything customer_get returns. */
export interface CustomerProfileRow extends CustomerRow {
  addresses: AddressRow[];
  order_stats: OrderStatsRow;
}

/** Values of a new customer. */
export interface NewCustomerRow {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  tier: CustomerTier;
}

/** Profile columns an update may set. */
export interface CustomerPatch {
  email?: string;
  first_name?: string;
  last_name?: string;
  phone?: string | null;
  tier?: CustomerTier;
  status?: CustomerStatus;
  status_reason?: string | null;
}

/** Sort orders of {@link CustomerStore.search}. */
export type CustomerSort = 'relevance' | 'created_at_desc' | 'created_at_asc' | 'name_asc';

/** What {@link CustomerStore.search} looks for. */
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

const CUSTOMER_COLUMNS = [
  'c.id',
  'c.email',
  'c.first_name',
  'c.last_name',
  'c.phone',
  'c.tier',
  'c.status',
  'c.status_reason',
  'c.version',
  'c.created_at',
  'c.updated_at',
  'c.anonymized_at',
] as const;

const cursorShape = z.strictObject({
  q: z.string().max(16),
  k: z.union([z.string().max(400), z.number()]),
  id: z.string().max(40),
});

/** The profile query of {@link CustomerStore.findProfile}, with an empty placeholder for its one parameter. */
function profileQuery(db: Kysely<CustomerDatabase>, by: 'id' | 'email') {
  const placeholder = '';
  return db
    .selectFrom('customers as c')
    .leftJoin('customer_order_stats as s', 's.customer_id', 'c.id')
    .select(CUSTOMER_COLUMNS)
    .select((eb) => [
      eb.fn.coalesce('s.order_count', sql<number>`0`).as('order_count'),
      sql<string>`coalesce(s.lifetime_value_amount, 0)::text`.as('lifetime_value_amount'),
      eb.fn.coalesce('s.currency', sql<string>`'EUR'`).as('currency'),
      's.last_order_at',
      jsonArrayFrom(
        eb
          .selectFrom('addresses as a')
          .selectAll('a')
          .whereRef('a.customer_id', '=', 'c.id')
          .orderBy('a.is_default', 'desc')
          .orderBy('a.created_at')
          .orderBy('a.id'),
      ).as('addresses'),
    ])
    .$if(by === 'id', (qb) => qb.where('c.id', '=', placeholder))
    .$if(by === 'email', (qb) => qb.where(sql`lower(c.email)`, '=', placeholder));
}

type ProfileQueryRow = Awaited<ReturnType<ReturnType<typeof profileQuery>['executeTakeFirstOrThrow']>>;

/** Compiled profile queries (the SQL is the same for every connection and transaction; only the parameter varies). */
const profileQueries: Partial<Record<'id' | 'email', CompiledQuery<ProfileQueryRow>>> = {};

/** Repository of `customers` (and the order statistics projection read with it). All customer SQL lives here. */
export class CustomerStore {
  readonly #db: Kysely<CustomerDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<CustomerDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** The profile with addresses (default first, then oldest first) and order statistics, in one query. */
  async findProfile(by: { id: string } | { email: string }): Promise<CustomerProfileRow | undefined> {
    // customer_get is the hottest read: its SQL is built and compiled once, then run with new parameters
    // (building and compiling the query cost more CPU than PostgreSQL spends answering it).
    const key = 'id' in by ? 'id' : 'email';
    const compiled = (profileQueries[key] ??= profileQuery(this.#db, key).compile());
    const result = await this.#db.executeQuery<ProfileQueryRow>({ ...compiled, parameters: ['id' in by ? by.id : by.email.toLowerCase()] }, { signal: this.#signal });
    const row = result.rows[0];
    if (row === undefined) return undefined;
    const { order_count, lifetime_value_amount, currency, last_order_at, addresses, ...customer } = row;
    return {
      ...customer,
      addresses: addresses.map((address) => ({ ...address, created_at: toDate(address.created_at) })),
      order_stats: {
        order_count,
        lifetime_value_amount: Number(lifetime_value_amount),
        currency,
        last_order_at: last_order_at === null ? null : toDate(last_order_at),
      },
    };
  }

  /** The row, locked until the transaction ends (`FOR UPDATE`): the read of every version check. */
  async lock(id: string): Promise<CustomerRow | undefined> {
    return this.#db
      .selectFrom('customers as c')
      .select(CUSTOMER_COLUMNS)
      .where('c.id', '=', id)
      .forUpdate()
      .executeTakeFirst({ signal: this.#signal });
  }

  /** The row without a lock; NOT_FOUND when there is none. */
  async get(id: string): Promise<CustomerRow> {
    return this.#db
      .selectFrom('customers as c')
      .select(CUSTOMER_COLUMNS)
      .where('c.id', '=', id)
      .executeTakeFirstOrThrow({ signal: this.#signal, errorConstructor: () => customerNotFound(id) });
  }

  /** Up to `limit` customer ids starting with `prefix`, in id order; only `onlyId` when given (a bound caller). */
  async idsByPrefix(prefix: string, limit: number, onlyId?: string): Promise<string[]> {
    const rows = await customerIdsByPrefixQuery(this.#db, prefix, limit, onlyId).execute({ signal: this.#signal });
    return rows.map((row) => row.id);
  }

  /**
   * Inserts a customer unless its email (case-insensitive) is taken; returns undefined when it is. `ON CONFLICT
   * DO NOTHING` keeps the caller's transaction usable, unlike catching a unique violation.
   */
  async insert(values: NewCustomerRow): Promise<CustomerRow | undefined> {
    return this.#db
      .insertInto('customers')
      .values(values)
      .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
      .returning(['id', 'email', 'first_name', 'last_name', 'phone', 'tier', 'status', 'status_reason', 'version', 'created_at', 'updated_at', 'anonymized_at'])
      .executeTakeFirst({ signal: this.#signal });
  }

  /** Whether another customer uses this email (case-insensitive). */
  async emailTaken(email: string, exceptId: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('customers')
      .select('id')
      .where(sql`lower(email)`, '=', email.toLowerCase())
      .where('id', '<>', exceptId)
      .executeTakeFirst({ signal: this.#signal });
    return row !== undefined;
  }

  /** Applies a patch, increments the version and stamps updated_at. Call after {@link lock}. */
  async update(id: string, patch: CustomerPatch): Promise<CustomerRow> {
    return this.#db
      .updateTable('customers')
      .set({ ...patch, version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returning(['id', 'email', 'first_name', 'last_name', 'phone', 'tier', 'status', 'status_reason', 'version', 'created_at', 'updated_at', 'anonymized_at'])
      .executeTakeFirstOrThrow({ signal: this.#signal, errorConstructor: () => customerNotFound(id) });
  }

  /** Increments the version of a customer whose addresses changed. Returns the new version. */
  async bumpVersion(id: string): Promise<number> {
    const row = await this.#db
      .updateTable('customers')
      .set({ version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returning('version')
      .executeTakeFirstOrThrow({ signal: this.#signal, errorConstructor: () => customerNotFound(id) });
    return row.version;
  }

  /** Erases the personal columns and marks the customer anonymized. Call after {@link lock}. */
  async anonymize(id: string): Promise<CustomerRow> {
    return this.#db
      .updateTable('customers')
      .set({
        email: null,
        first_name: null,
        last_name: null,
        phone: null,
        status: 'anonymized',
        status_reason: null,
        anonymized_at: sql<Date>`now()`,
        version: sql<number>`version + 1`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .returning(['id', 'email', 'first_name', 'last_name', 'phone', 'tier', 'status', 'status_reason', 'version', 'created_at', 'updated_at', 'anonymized_at'])
      .executeTakeFirstOrThrow({ signal: this.#signal, errorConstructor: () => customerNotFound(id) });
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
        await sql`SELECT set_config('pg_trgm.similarity_threshold', ${SIMILARITY_THRESHOLD}, true), set_config('enable_seqscan', 'off', true)`.execute(
          db,
          { signal: this.#signal },
        );
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
        .$if(query !== undefined, (qb) =>
          qb.where(params.matchEmail ? sql<SqlBool>`(${nameMatch} OR lower(email) % ${query})` : sql<SqlBool>`(${nameMatch})`),
        )
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
              k:
                sort === 'relevance'
                  ? (last.score as number)
                  : sort === 'name_asc'
                    ? last.sort_name
                    : last.created_at.toISOString(),
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

/** What a customer search's cursor is bound to; the order and encoding are fixed (see searchFingerprint of @mcpfed/db). */
function customerSearchFingerprint(params: CustomerSearchParams): string {
  return searchFingerprint([
    params.query?.toLowerCase() ?? null,
    // A page scored with emails must not continue as one scored without (or the other way round).
    params.matchEmail,
    params.tier ?? null,
    params.status ?? null,
    params.createdFrom?.toISOString() ?? null,
    params.createdTo?.toISOString() ?? null,
    params.sort,
    params.customerId ?? null,
  ]);
}

function decodeSearchCursor(
  cursor: string,
  fingerprint: string,
  sort: CustomerSort,
): { key: number | string | Date; id: string } {
  const values = decodeCursor(cursor, cursorShape);
  const invalid = (): AppError =>
    new AppError('VALIDATION_FAILED', 'cursor belongs to another search (query, filter or sort changed); request the first page again without a cursor.', {
      details: { field: 'cursor' },
    });
  if (values.q !== fingerprint) throw invalid();
  if (sort === 'relevance') {
    if (typeof values.k !== 'number') throw invalid();
    return { key: values.k, id: values.id };
  }
  if (typeof values.k !== 'string') throw invalid();
  if (sort === 'name_asc') return { key: values.k, id: values.id };
  const at = new Date(values.k);
  if (Number.isNaN(at.getTime())) throw invalid();
  return { key: at, id: values.id };
}
