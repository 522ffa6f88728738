import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@mcpfed/db';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { customerMigrations } from '../migrations/index.ts';
import type { CustomerDatabase } from '../src/store/customer-database.ts';
import { customerIdsByPrefixQuery } from '../src/store/customer-ids-by-prefix-query.ts';

let database: TestDatabase<CustomerDatabase>;

beforeAll(async () => {
  database = await createTestDatabase<CustomerDatabase>({ name: 'customer_completion_plans', migrations: customerMigrations });
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

describe('customer id completion', () => {
  it('is an index range scan, never a full scan, staff or bound', async () => {
    const staff = await planOf((db) => customerIdsByPrefixQuery(db, 'cus_01', 101));
    expect(staff).not.toContain('Seq Scan');
    expect(staff).toMatch(/Index (Only )?Scan/);
    expect(staff).toContain('~>=~');
    const bound = await planOf((db) => customerIdsByPrefixQuery(db, 'cus_', 101, 'cus_01j9z3k8q4m2n6p7r8s9t0v1w2'));
    expect(bound).not.toContain('Seq Scan');
  });
});
