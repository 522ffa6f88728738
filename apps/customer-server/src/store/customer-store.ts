import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { CustomerStatus, CustomerTier } from '@mcpfed/contract-customer';
import type { AddressRow } from './address-store.ts';
import { CUSTOMER_COLUMNS, CUSTOMER_RETURNING } from './customer-columns.ts';
import type { CustomerDatabase, CustomersTable } from './customer-database.ts';
import { customerIdsByPrefixQuery } from './customer-ids-by-prefix-query.ts';
import { customerNotFound } from './customer-not-found.ts';
import { profileQuery } from './customer-profile-query.ts';
import type { ProfileQueryRow } from './customer-profile-query.ts';
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

/**
 * Repository of `customers` (and the order statistics projection read with it). Searching is
 * `CustomerSearchStore`'s.
 */
export class CustomerStore {
  readonly #db: Kysely<CustomerDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<CustomerDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** The profile with addresses (default first, then oldest first) and order statistics, in one query. */
  async findProfile(by: { id: string } | { email: string }): Promise<CustomerProfileRow | undefined> {
    const compiled = profileQuery(this.#db, 'id' in by ? 'id' : 'email');
    const result = await this.#db.executeQuery<ProfileQueryRow>(
      { ...compiled, parameters: ['id' in by ? by.id : by.email.toLowerCase()] },
      { signal: this.#signal },
    );
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
    return this.#db.selectFrom('customers as c').select(CUSTOMER_COLUMNS).where('c.id', '=', id).forUpdate().executeTakeFirst({ signal: this.#signal });
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
      .returning(CUSTOMER_RETURNING)
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
      .returning(CUSTOMER_RETURNING)
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
      .returning(CUSTOMER_RETURNING)
      .executeTakeFirstOrThrow({ signal: this.#signal, errorConstructor: () => customerNotFound(id) });
  }
}
