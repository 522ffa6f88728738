import { sql } from 'kysely';
import type { CompiledQuery, Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { CUSTOMER_COLUMNS } from './customer-columns.ts';
import type { CustomerDatabase } from './customer-database.ts';

/** What a profile is looked up by: the id, or the email (compared lower-cased). */
export type ProfileKey = 'id' | 'email';

function buildProfileQuery(db: Kysely<CustomerDatabase>, by: ProfileKey) {
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

/** One row of the profile query: the customer's columns, its order statistics and its addresses as JSON. */
export type ProfileQueryRow = Awaited<ReturnType<ReturnType<typeof buildProfileQuery>['executeTakeFirstOrThrow']>>;

/** Compiled profile queries (the SQL is the same for every connection and transaction; only the parameter varies). */
const compiled: Partial<Record<ProfileKey, CompiledQuery<ProfileQueryRow>>> = {};

/**
 * The profile query of customer_get (one customer with its order statistics and its addresses, default first,
 * then oldest first), compiled with an empty placeholder for its one parameter. customer_get is the hottest
 * read: its SQL is built and compiled once per key, then run with new parameters (building and compiling the
 * query cost more CPU than PostgreSQL spends answering it).
 */
export function profileQuery(db: Kysely<CustomerDatabase>, by: ProfileKey): CompiledQuery<ProfileQueryRow> {
  return (compiled[by] ??= buildProfileQuery(db, by).compile());
}
