import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';

/** The demo warehouses a bare sku is stocked at. */
export const DEMO_LOCATIONS: readonly string[] = Object.freeze(['BER-1', 'HAM-1', 'MUC-1']);

/** Stock of one sku at one location, to seed as is. */
export interface SeedStockLevel {
  sku: string;
  /** Location code, upper case (`BER-1`). */
  location: string;
  /** Units on hand, >= 0. */
  on_hand: number;
}

/** Options of {@link seedInventory}. */
export interface SeedInventoryOptions {
  /** Levels inserted per statement. Default 5000. */
  batchSize?: number;
  /** Called after each batch with the number of levels handled so far. */
  onProgress?: (done: number) => void;
}

/** What {@link seedInventory} did. */
export interface SeedInventoryResult {
  /** Levels inserted (existing levels are left alone). */
  levels: number;
  /** Ledger rows written: one `adjust` / `initial_stock` row per inserted level with stock. */
  movements: number;
}

/**
 * Seeds stock levels in batches of multi-row statements (200 000 products x 3 locations take about 15-20 s).
 * Each item is either an explicit level `{ sku, location, on_hand }` or a bare sku, which is stocked at every
 * {@link DEMO_LOCATIONS} location with deterministic demo quantities (about 15 % of levels at 0, 15 % at 1-9 so
 * inventory_low_stock has something to show, the rest 10-500). The skus must exist in `products`.
 *
 * Each inserted level with stock gets its ledger row (`adjust`, reason `initial_stock`, actor `system:seed`), so
 * the ledger adds up to the levels from the start. Safe to run twice: existing levels are skipped and get no
 * second ledger row.
 */
export async function seedInventory<DB extends InventoryTables>(
  database: Kysely<DB>,
  items: Iterable<string | SeedStockLevel>,
  options: SeedInventoryOptions = {},
): Promise<SeedInventoryResult> {
  const db = inventoryDb(database);
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError('seedInventory: batchSize must be a positive integer');
  const result: SeedInventoryResult = { levels: 0, movements: 0 };
  let batch: { sku: string[]; location: string[]; onHand: number[] } = { sku: [], location: [], onHand: [] };
  let done = 0;
  const flush = async () => {
    if (batch.sku.length === 0) return;
    const inserted = await sql<{ levels: string; movements: string }>`
      WITH input AS (
        SELECT * FROM unnest(${batch.sku}::text[], ${batch.location}::text[], ${batch.onHand}::int[]) AS t(sku, location, on_hand)
      ), levels AS (
        INSERT INTO inventory_levels (sku, location, on_hand)
        SELECT sku, location, on_hand FROM input
        ON CONFLICT (sku, location) DO NOTHING
        RETURNING sku, location, on_hand
      ), movements AS (
        INSERT INTO inventory_movements (sku, location, kind, delta_on_hand, delta_reserved, on_hand_after, reserved_after, reason, actor)
        SELECT sku, location, 'adjust', on_hand, 0, on_hand, 0, 'initial_stock', 'system:seed' FROM levels WHERE on_hand > 0
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM levels) AS levels, (SELECT count(*) FROM movements) AS movements`.execute(db);
    const row = inserted.rows[0];
    result.levels += Number(row?.levels ?? 0);
    result.movements += Number(row?.movements ?? 0);
    done += batch.sku.length;
    options.onProgress?.(done);
    batch = { sku: [], location: [], onHand: [] };
  };
  const add = async (level: SeedStockLevel) => {
    batch.sku.push(level.sku);
    batch.location.push(level.location);
    batch.onHand.push(level.on_hand);
    if (batch.sku.length >= batchSize) await flush();
  };
  for (const item of items) {
    if (typeof item === 'string') {
      for (const location of DEMO_LOCATIONS) await add({ sku: item, location, on_hand: demoQuantity(item, location) });
    } else {
      await add(item);
    }
  }
  await flush();
  return result;
}

/** Deterministic demo stock of a sku at a location. */
export function demoQuantity(sku: string, location: string): number {
  const n = createHash('sha256').update(`${sku}\u0000${location}`).digest().readUInt32BE(0);
  const bucket = n % 100;
  if (bucket < 15) return 0;
  if (bucket < 30) return 1 + (Math.floor(n / 100) % 9);
  return 10 + (Math.floor(n / 100) % 491);
}
