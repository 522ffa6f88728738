import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_SQL_VIEWS } from '@mcpfed/contract-customer';
import { createDatabase, readOnlyConnectionString, runReadOnlyQuery } from '@mcpfed/db';
import type { Database } from '@mcpfed/db';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { customerMigrations } from '../migrations/index.ts';
import { runAnalyticsQuery } from '../src/service/analytics-query.ts';
import type { CustomerDatabase } from '../src/store/customer-database.ts';
import { SQL_READER_ROLE, ensureSqlReaderRole } from '../src/store/sql-reader-role.ts';
import { createCustomer } from './fixtures.ts';

let database: TestDatabase<CustomerDatabase>;
let reader: Database<unknown>;

beforeAll(async () => {
  database = await createTestDatabase<CustomerDatabase>({ name: 'customer', migrations: customerMigrations });
  await ensureSqlReaderRole(database.pool, { database: database.name });
  reader = createDatabase({ connectionString: readOnlyConnectionString(database.url, SQL_READER_ROLE), applicationName: 'customer-sql-test', max: 2 });
  await createCustomer(database.db, { tier: 'gold' });
  await createCustomer(database.db, { tier: 'gold' });
  const third = await createCustomer(database.db, { tier: 'silver', shipping: false });
  await database.db
    .insertInto('customer_order_stats')
    .values({ customer_id: third.id, order_count: 2, lifetime_value_amount: 4200, currency: 'EUR' })
    .execute();
});

afterAll(async () => {
  await reader?.close();
  await database?.drop();
});

describe('customer_query_sql', () => {
  it('answers aggregate questions over the analytics views', async () => {
    const result = await runAnalyticsQuery(
      { sqlPool: reader.pool },
      { sql: 'SELECT tier, count(*) AS n, sum(lifetime_value_amount) AS ltv FROM analytics_customers GROUP BY tier ORDER BY tier', limit: 100 },
    );
    expect(result).toEqual({
      columns: [
        { name: 'tier', type: 'text' },
        { name: 'n', type: 'bigint' },
        { name: 'ltv', type: 'numeric' },
      ],
      rows: [
        ['gold', '2', '0'],
        ['silver', '1', '4200'],
      ],
      row_count: 2,
      truncated: false,
    });
    const countries = await runAnalyticsQuery({ sqlPool: reader.pool }, { sql: 'select country, count(*) from analytics_addresses group by 1', limit: 10 });
    expect(countries.rows).toEqual([['DE', '2']]);
  });

  it('caps rows at the limit and says so', async () => {
    const result = await runAnalyticsQuery({ sqlPool: reader.pool }, { sql: 'SELECT id FROM analytics_customers ORDER BY id', limit: 2 });
    expect(result).toMatchObject({ row_count: 2, truncated: true });
  });

  it('refuses base tables, writes and several statements before running them', async () => {
    for (const statement of ['SELECT email FROM customers', 'DELETE FROM analytics_customers', 'SELECT 1; SELECT 2', 'SELECT * FROM pg_catalog.pg_authid']) {
      await expect(runAnalyticsQuery({ sqlPool: reader.pool }, { sql: statement, limit: 10 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('runs as a role that cannot read the base tables even when the parser is bypassed', async () => {
    await expect(runReadOnlyQuery(reader.pool, 'SELECT email FROM customers')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(runReadOnlyQuery(reader.pool, 'SELECT body FROM customer_notes')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('has views exactly as the contract describes them (no personal columns)', async () => {
    const columns = await sql<{ table_name: string; column_name: string; data_type: string }>`
      SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name IN ('analytics_customers', 'analytics_addresses')
       ORDER BY table_name, ordinal_position`.execute(database.db);
    const actual = columns.rows.map((c) => `${c.table_name}.${c.column_name}`);
    const described = CUSTOMER_SQL_VIEWS.flatMap((view) => view.columns.map((column) => `${view.name}.${column.name}`));
    expect(actual.sort()).toEqual(described.sort());
    expect(actual.join(' ')).not.toMatch(/email|first_name|last_name|phone|line1|line2|postal_code|body/);
  });
});
