import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { customerMigrations } from '../migrations/index.ts';
import { seedBulkCustomers } from '../src/seed/seed-bulk-customers.ts';
import { seedDemoCustomers } from '../src/seed/seed-demo-customers.ts';
import { AddressService } from '../src/service/address-service.ts';
import { CustomerService } from '../src/service/customer-service.ts';
import type { CustomerDatabase } from '../src/store/customer-database.ts';
import { MASKED_CONTEXT, snapshotTables } from './fixtures.ts';

let first: TestDatabase<CustomerDatabase>;
let second: TestDatabase<CustomerDatabase>;

beforeAll(async () => {
  [first, second] = await Promise.all([
    createTestDatabase<CustomerDatabase>({ name: 'customer', migrations: customerMigrations }),
    createTestDatabase<CustomerDatabase>({ name: 'customer', migrations: customerMigrations }),
  ]);
});

afterAll(async () => {
  await Promise.all([first?.drop(), second?.drop()]);
});

describe('demo seed', () => {
  it('writes 1000 customers, identical in two fresh databases, and skips a second run', async () => {
    const a = await seedDemoCustomers(first.db);
    const b = await seedDemoCustomers(second.db);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ customers: 1000, skipped: false });
    expect(a.addresses).toBeGreaterThan(900);
    expect(a.notes).toBeGreaterThan(200);
    const count = await first.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1000);
    expect(await snapshotTables(first.db)).toEqual(await snapshotTables(second.db));

    const rerun = await seedDemoCustomers(first.db);
    expect(rerun).toEqual({ customers: 0, addresses: 0, notes: 0, events: 0, skipped: true });
    const after = await first.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(1000);
  });

  it('gives a realistic mix that the tools can work with', async () => {
    const statuses = await sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM customers GROUP BY status ORDER BY status`.execute(
      first.db,
    );
    expect(statuses.rows.map((r) => r.status)).toEqual(['active', 'blocked', 'suspended']);
    const smiths = await new CustomerService(first.db, MASKED_CONTEXT).search({ query: 'smith', limit: 5 });
    expect(smiths.items.length).toBe(5);
    expect(smiths.items.every((item) => item.last_name === 'Smith' || (item.relevance ?? 0) < 1)).toBe(true);
  });
});

describe('bulk seed', () => {
  it('generates numbered customers with an address and an event each, the same rows twice', async () => {
    const progress: number[] = [];
    const inserted = await seedBulkCustomers(first.db, { count: 5000, batchSize: 2000, onProgress: (done) => progress.push(done) });
    expect(inserted).toBe(5000);
    expect(progress).toEqual([2000, 4000, 5000]);
    expect(await seedBulkCustomers(first.db, { count: 5000 })).toBe(0);
    await seedBulkCustomers(second.db, { count: 5000 });
    const bulkRows = (db: TestDatabase<CustomerDatabase>['db']) =>
      sql`SELECT c.*, a.city, a.country FROM customers c JOIN addresses a ON a.customer_id = c.id WHERE c.id LIKE 'cus_zz%' ORDER BY c.id`.execute(db);
    const [rowsA, rowsB] = await Promise.all([bulkRows(first.db), bulkRows(second.db)]);
    expect(rowsA.rows).toHaveLength(5000);
    expect(rowsA.rows).toEqual(rowsB.rows);
    const events = await sql<{ n: number }>`SELECT count(*)::int AS n FROM customer_events WHERE id LIKE 'evt_zz%'`.execute(first.db);
    expect(events.rows[0]?.n).toBe(5000);
    const one = await new AddressService(first.db, MASKED_CONTEXT).checkEligibility({ customer_id: 'cus_zz000000000000000000000042' });
    expect(one.eligible).toBe(true);
  });
});
