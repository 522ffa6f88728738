import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYMENT_SQL_VIEWS } from '@mcpfed/contract-payment';
import { createDatabase, readOnlyConnectionString, runReadOnlyQuery } from '@mcpfed/db';
import type { Database } from '@mcpfed/db';
import { idempotencyKey } from '@mcpfed/testing';
import { runAnalyticsQuery } from '../src/service/analytics-query.ts';
import { SQL_READER_ROLE } from '../src/store/sql-reader-role.ts';
import { newCustomerId, newOrderRef, staffContext, startTestPaymentServer } from './fixtures.ts';
import type { TestPaymentServer } from './fixtures.ts';

let server: TestPaymentServer;
let reader: Database<unknown>;

beforeAll(async () => {
  server = await startTestPaymentServer();
  reader = createDatabase({ connectionString: readOnlyConnectionString(server.database.url, SQL_READER_ROLE), applicationName: 'payment-sql-test', max: 2 });
  const caller = staffContext('sql-test');
  for (const [amount, currency] of [
    [1000, 'EUR'],
    [2500, 'EUR'],
    [700, 'USD'],
  ] as const) {
    const { payment } = await server.domain.payments.authorize(
      { order_ref: newOrderRef(), customer_id: newCustomerId(), amount, currency, payment_method: 'pm_card_mastercard', idempotency_key: idempotencyKey() },
      caller,
    );
    await server.domain.payments.capture({ payment_id: payment.id, idempotency_key: idempotencyKey() }, caller);
  }
});

afterAll(async () => {
  await reader?.close();
  await server?.close();
});

describe('payment_query_sql', () => {
  it('answers aggregate questions over the views, per currency', async () => {
    const result = await runAnalyticsQuery(
      { sqlPool: reader.pool },
      { sql: 'SELECT currency, count(*) AS n, sum(amount_captured) AS captured FROM analytics_payments GROUP BY currency ORDER BY currency', limit: 100 },
    );
    expect(result).toEqual({
      columns: [
        { name: 'currency', type: 'text' },
        { name: 'n', type: 'bigint' },
        { name: 'captured', type: 'numeric' },
      ],
      rows: [
        ['EUR', '2', '3500'],
        ['USD', '1', '700'],
      ],
      row_count: 2,
      truncated: false,
    });
    const ledger = await runAnalyticsQuery(
      { sqlPool: reader.pool },
      {
        sql: "SELECT sum(amount) FILTER (WHERE direction = 'debit') - sum(amount) FILTER (WHERE direction = 'credit') AS net FROM analytics_ledger_entries",
        limit: 1,
      },
    );
    expect(ledger.rows).toEqual([['0']]);
    const brands = await runAnalyticsQuery({ sqlPool: reader.pool }, { sql: 'SELECT DISTINCT brand, last4 FROM analytics_payment_methods', limit: 10 });
    expect(brands.rows).toEqual([['mastercard', '4444']]);
  });

  it('refuses base tables, the sandbox schema, writes and several statements before running them', async () => {
    for (const statement of [
      'SELECT * FROM payment_operations',
      'SELECT token_fingerprint FROM payment_methods',
      'SELECT token FROM sandbox.payment_methods',
      'DELETE FROM analytics_payments',
      'SELECT 1; SELECT 2',
    ]) {
      await expect(runAnalyticsQuery({ sqlPool: reader.pool }, { sql: statement, limit: 10 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('runs as a role that can read nothing else even when the parser is bypassed', async () => {
    for (const statement of [
      'SELECT response FROM payment_operations',
      'SELECT * FROM payments',
      'SELECT token FROM sandbox.payment_methods',
      'SELECT * FROM mcp_audit_log',
    ]) {
      await expect(runReadOnlyQuery(reader.pool, statement)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it('has views exactly as the contract describes them, none with a token or provider reference', async () => {
    const columns = await sql<{ table_name: string; column_name: string }>`
      SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name LIKE 'analytics\\_%' ORDER BY table_name, ordinal_position`.execute(server.db);
    const actual = columns.rows.map((c) => `${c.table_name}.${c.column_name}`);
    const described = PAYMENT_SQL_VIEWS.flatMap((view) => view.columns.map((column) => `${view.name}.${column.name}`));
    expect(actual.sort()).toEqual(described.sort());
    expect(actual.join(' ')).not.toMatch(/token|fingerprint|provider|idempotency|params|response/);
  });
});
