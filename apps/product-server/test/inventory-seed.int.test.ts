import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { DEMO_LOCATIONS, seedInventory, stockBySku } from '../src/inventory/index.ts';
import type { InventoryTables } from '../src/inventory/index.ts';
import { demoQuantity } from '../src/inventory/seed/seed-inventory.ts';
import { expectConsistent, insertProduct, inventoryTestMigrations } from './inventory-fixtures.ts';
import type { TestDb } from './inventory-fixtures.ts';

let database: TestDatabase<InventoryTables>;
let db: TestDb;

beforeAll(async () => {
  database = await createTestDatabase<InventoryTables>({ name: 'inventory_seed', migrations: inventoryTestMigrations });
  db = database.db;
});

afterAll(async () => {
  await database?.drop();
});

async function products(count: number, prefix: string): Promise<string[]> {
  const skus = Array.from({ length: count }, (_v, i) => `${prefix}-${String(i).padStart(7, '0')}`);
  await sql`
    INSERT INTO products (sku, name, category, price_amount, currency)
    SELECT sku, 'Seeded ' || sku, 'test-goods', 100, 'EUR' FROM unnest(${skus}::text[]) AS t(sku)`.execute(db);
  return skus;
}

describe('seedInventory', () => {
  it('stocks bare skus at the demo locations with deterministic quantities and one ledger row per stocked level', async () => {
    const skus = await products(2500, 'SEED');
    const progress: number[] = [];
    const result = await seedInventory(db, skus, { batchSize: 1000, onProgress: (done) => progress.push(done) });
    const expected = skus.flatMap((sku) => DEMO_LOCATIONS.map((location) => demoQuantity(sku, location)));
    expect(result).toEqual({ levels: 7500, movements: expected.filter((q) => q > 0).length });
    expect(progress).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 7500]);
    const totals = await sql<{ on_hand: number; low: number; zero: number }>`
      SELECT sum(on_hand)::int AS on_hand, count(*) FILTER (WHERE on_hand BETWEEN 1 AND 9)::int AS low, count(*) FILTER (WHERE on_hand = 0)::int AS zero
      FROM inventory_levels WHERE sku LIKE 'SEED-%'`.execute(db);
    expect(totals.rows[0]?.on_hand).toBe(expected.reduce((a, b) => a + b, 0));
    expect(totals.rows[0]?.zero).toBe(expected.filter((q) => q === 0).length);
    // Roughly the documented mix: some zero, some low.
    expect(totals.rows[0]?.zero).toBeGreaterThan(750);
    expect(totals.rows[0]?.low).toBeGreaterThan(750);
    const again = await seedInventory(db, skus);
    expect(again).toEqual({ levels: 0, movements: 0 });
    await expectConsistent(db);
  });

  it('seeds explicit levels as given', async () => {
    const [a, b] = await products(2, 'EXPL');
    const result = await seedInventory(db, [
      { sku: a as string, location: 'BER-1', on_hand: 7 },
      { sku: a as string, location: 'HAM-1', on_hand: 0 },
      { sku: b as string, location: 'MUC-1', on_hand: 250 },
    ]);
    expect(result).toEqual({ levels: 3, movements: 2 });
    const rows = await db
      .selectFrom('inventory_movements')
      .select(['sku', 'location', 'kind', 'delta_on_hand', 'reason', 'actor'])
      .where('sku', 'in', [a as string, b as string])
      .orderBy('sku')
      .execute();
    expect(rows).toEqual([
      { sku: a, location: 'BER-1', kind: 'adjust', delta_on_hand: 7, reason: 'initial_stock', actor: 'system:seed' },
      { sku: b, location: 'MUC-1', kind: 'adjust', delta_on_hand: 250, reason: 'initial_stock', actor: 'system:seed' },
    ]);
    await expectConsistent(db);
  });
});

describe('stockBySku', () => {
  it('returns totals and locations for every requested sku, zeros for a sku without stock', async () => {
    const [a] = await products(1, 'STOCK');
    const empty = await insertProduct(db);
    await seedInventory(db, [
      { sku: a as string, location: 'BER-1', on_hand: 5 },
      { sku: a as string, location: 'MUC-1', on_hand: 2 },
    ]);
    const stock = await stockBySku(db, [a as string, empty, a as string], { signal: new AbortController().signal });
    expect([...stock.keys()]).toEqual([a, empty]);
    expect(stock.get(a as string)).toEqual({
      sku: a,
      on_hand: 7,
      reserved: 0,
      available: 7,
      locations: [
        { location: 'BER-1', on_hand: 5, reserved: 0, available: 5 },
        { location: 'MUC-1', on_hand: 2, reserved: 0, available: 2 },
      ],
    });
    expect(stock.get(empty)).toEqual({ sku: empty, on_hand: 0, reserved: 0, available: 0, locations: [] });
    expect((await stockBySku(db, [], { signal: new AbortController().signal })).size).toBe(0);
  });
});
