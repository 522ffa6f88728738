import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@mcpfed/db';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { orderMigrations } from '../migrations/index.ts';
import type { OrderDatabase } from '../src/store/order-database.ts';
import { orderIdsByPrefixQuery } from '../src/store/order-id-prefix-store.ts';

let database: TestDatabase<OrderDatabase>;

beforeAll(async () => {
  database = await createTestDatabase<OrderDatabase>({ name: 'order_completion_plans', migrations: orderMigrations });
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

/** The plan PostgreSQL picks when a sequential scan is priced out: still a Seq Scan only if no index can answer. */
async function planOf(build: (db: typeof database.db) => { explain(format: 'json'): Promise<unknown[]> }): Promise<string> {
  return database.db.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    return JSON.stringify(await build(trx).explain('json'));
  });
}

describe('order id completion', () => {
  it('is an index range scan for staff and an index scan of the customer orders for a bound caller', async () => {
    const staff = await planOf((db) => orderIdsByPrefixQuery(db, 'ord_01', 101));
    expect(staff).not.toContain('Seq Scan');
    expect(staff).toContain('~>=~');
    const bound = await planOf((db) => orderIdsByPrefixQuery(db, 'ord_', 101, 'cus_01j9z3k8q4m2n6p7r8s9t0v1w2'));
    expect(bound).not.toContain('Seq Scan');
    expect(bound).toMatch(/orders_customer|orders_id_prefix/);
  });
});
