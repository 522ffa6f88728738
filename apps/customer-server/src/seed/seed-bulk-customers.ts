import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { asciiName } from './ascii-name.ts';
import { CITIES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, STREETS } from './demo-vocabulary.ts';

/** Options of {@link seedBulkCustomers}. */
export interface BulkSeedOptions {
  /** How many bulk customers (numbered 1..count). */
  count: number;
  /** Customers per INSERT ... SELECT statement. Default 20000. */
  batchSize?: number;
  /** Called after each batch with the customers done so far. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Generates load-test customers inside PostgreSQL: one `INSERT ... SELECT generate_series` per table and batch,
 * so no row crosses the network. Each customer n gets id `cus_zz<n padded to 24 digits>` (the `zz` prefix cannot
 * occur in time-based ids), a name and city picked by multiplicative hashing of n, one default shipping address
 * and a created event — the same rows on every run. Safe to run twice: existing ids are skipped
 * (`ON CONFLICT DO NOTHING`). Returns how many customers this call inserted.
 */
export async function seedBulkCustomers(db: Kysely<CustomerDatabase>, options: BulkSeedOptions): Promise<number> {
  const batchSize = options.batchSize ?? 20_000;
  const firstNames = FIRST_NAMES;
  const lastNames = LAST_NAMES;
  const asciiFirst = firstNames.map(asciiName);
  const asciiLast = lastNames.map(asciiName);
  const cities = CITIES.map((c) => c.city);
  const regions = CITIES.map((c) => c.region ?? '');
  const countries = CITIES.map((c) => c.country);
  let inserted = 0;
  for (let from = 1; from <= options.count; from += batchSize) {
    const to = Math.min(options.count, from + batchSize - 1);
    // h1/h2/h3 are Knuth-style multiplicative hashes of n: deterministic, well spread over the word lists.
    const result = await sql`
      INSERT INTO customers (id, email, first_name, last_name, phone, tier, status, version, created_at, updated_at)
      SELECT 'cus_zz' || lpad(g.n::text, 24, '0'),
             (${asciiFirst}::text[])[1 + g.h1 % ${firstNames.length}] || '.' || (${asciiLast}::text[])[1 + g.h2 % ${lastNames.length}]
               || '.' || g.n || '@' || (${EMAIL_DOMAINS}::text[])[1 + g.h3 % ${EMAIL_DOMAINS.length}],
             (${firstNames}::text[])[1 + g.h1 % ${firstNames.length}],
             (${lastNames}::text[])[1 + g.h2 % ${lastNames.length}],
             CASE WHEN g.h3 % 10 < 7 THEN '+49' || lpad((g.h1 % 1000000000)::text, 9, '0') END,
             CASE WHEN g.h2 % 20 < 12 THEN 'standard' WHEN g.h2 % 20 < 17 THEN 'silver' WHEN g.h2 % 20 < 19 THEN 'gold' ELSE 'platinum' END,
             'active', 1, g.at, g.at
        FROM (SELECT n,
                     (n * 2654435761) % 4294967296 AS h1,
                     (n * 40503 + 7919) % 104729 AS h2,
                     (n * 69069 + 1) % 65521 AS h3,
                     timestamptz '2023-01-01 00:00:00+00' + ((n * 7919) % 63072000) * interval '1 second' AS at
                FROM generate_series(${from}::bigint, ${to}::bigint) AS n) AS g
      ON CONFLICT DO NOTHING`.execute(db);
    await sql`
      INSERT INTO addresses (id, customer_id, kind, is_default, line1, city, region, postal_code, country, created_at)
      SELECT 'adr_zz' || lpad(g.n::text, 24, '0'), 'cus_zz' || lpad(g.n::text, 24, '0'), 'shipping', true,
             (${STREETS}::text[])[1 + g.n % ${STREETS.length}] || ' ' || (1 + g.n % 180),
             (${cities}::text[])[1 + g.c], nullif((${regions}::text[])[1 + g.c], ''),
             lpad(((g.n * 7) % 100000)::text, 5, '0'), (${countries}::text[])[1 + g.c], g.at
        FROM (SELECT n, (n * 31 + 11) % ${cities.length} AS c,
                     timestamptz '2023-01-01 00:00:00+00' + ((n * 7919) % 63072000) * interval '1 second' AS at
                FROM generate_series(${from}::bigint, ${to}::bigint) AS n) AS g
       WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = 'cus_zz' || lpad(g.n::text, 24, '0'))
      ON CONFLICT DO NOTHING`.execute(db);
    await sql`
      INSERT INTO customer_events (id, customer_id, type, occurred_at, actor, data)
      SELECT 'evt_zz' || lpad(g.n::text, 24, '0'), 'cus_zz' || lpad(g.n::text, 24, '0'), 'customer.created', c.created_at,
             'system:seed', '{"address_count": 1}'::jsonb || jsonb_build_object('tier', c.tier)
        FROM generate_series(${from}::bigint, ${to}::bigint) AS g(n)
        JOIN customers c ON c.id = 'cus_zz' || lpad(g.n::text, 24, '0')
      ON CONFLICT DO NOTHING`.execute(db);
    inserted += Number(result.numAffectedRows ?? 0n);
    options.onProgress?.(to, options.count);
  }
  return inserted;
}
