import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { expect } from 'vitest';
import { AppError } from '@mcpfed/errors';
import { jobContext } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { createLogger } from '@mcpfed/telemetry';
import { testPrincipal } from '@mcpfed/testing';
import { productMigrations } from '../migrations/index.ts';
import type { InventoryTables } from '../src/inventory/index.ts';
import { InventoryService } from '../src/inventory/service/inventory-service.ts';
import { RESERVATION_EXPIRY_PRINCIPAL } from '../src/inventory/jobs/reservation-expiry-principal.ts';

/**
 * The migrations inventory's tests run: the product server's own (the runtime's tables, the catalog's `products`,
 * which inventory references and reads prices from, and inventory's).
 */
export const inventoryTestMigrations: Readonly<Record<string, Migration>> = productMigrations;

/** The test database: inventory's tables (products are written with raw SQL). */
export type TestDb = Kysely<InventoryTables>;

const log = createLogger({ name: 'inventory-test', level: 'silent' });

/** The request context of service-level tests: principal `test:inventory`, the actor of their ledger rows. */
export const CALLER: RequestContext = jobContext({ principal: testPrincipal(['product:read', 'product:write'], 'test:inventory'), log });

/** The context the reservation expiry runs with (its job and sweeper): actor `system:reservation-expiry`. */
export const EXPIRY: RequestContext = jobContext({ principal: RESERVATION_EXPIRY_PRINCIPAL, log });

/** A fresh upper-case SKU, unique per call. */
export function newSku(prefix = 'T'): string {
  return `${prefix}-${randomBytes(5).toString('hex').toUpperCase()}`;
}

/** Inserts a catalog product the way the catalog stores it. Price in integer minor units. */
export async function insertProduct(
  db: TestDb,
  values: { sku?: string; price?: number; currency?: string; status?: 'active' | 'draft' | 'archived' } = {},
): Promise<string> {
  const sku = values.sku ?? newSku();
  const status = values.status ?? 'active';
  await sql`
    INSERT INTO products (sku, name, category, status, price_amount, currency, archived_at)
    VALUES (${sku}, ${`Product ${sku}`}, 'test-goods', ${status}, ${values.price ?? 1999}, ${values.currency ?? 'EUR'},
            ${status === 'archived' ? sql`now()` : null})`.execute(db);
  return sku;
}

/** Inserts a product and stocks it through inventory_adjust's service path (so the ledger has its rows). */
export async function stockedProduct(
  db: TestDb,
  stock: Record<string, number>,
  product: { price?: number; currency?: string; status?: 'active' | 'draft' | 'archived' } = {},
): Promise<string> {
  const sku = await insertProduct(db, product);
  for (const [location, units] of Object.entries(stock)) await adjust(db, sku, location, units);
  return sku;
}

/** inventory_adjust through the service. */
export async function adjust(db: TestDb, sku: string, location: string, delta: number, reason: 'received' | 'damaged' | 'correction' = 'received') {
  return new InventoryService(db).adjust({ sku, location, delta, reason, idempotency_key: `adj-${randomBytes(8).toString('hex')}`, dry_run: false }, CALLER);
}

/** One stock level row, or undefined. */
export async function level(db: TestDb, sku: string, location: string) {
  return db
    .selectFrom('inventory_levels')
    .select(['on_hand', 'reserved', 'available', 'version'])
    .where('sku', '=', sku)
    .where('location', '=', location)
    .executeTakeFirst();
}

/**
 * Rows where the ledger does not add up to the level: for every (sku, location), the sum of delta_on_hand must
 * equal on_hand and the sum of delta_reserved must equal reserved, and the last row's "after" values must be
 * the level. Empty when the ledger is consistent.
 */
export async function ledgerMismatches(db: TestDb): Promise<unknown[]> {
  const result = await sql`
    SELECT l.sku, l.location, l.on_hand, l.reserved, m.sum_on_hand, m.sum_reserved, last.on_hand_after, last.reserved_after
    FROM inventory_levels l
    LEFT JOIN (
      SELECT sku, location, sum(delta_on_hand)::int AS sum_on_hand, sum(delta_reserved)::int AS sum_reserved
      FROM inventory_movements GROUP BY sku, location
    ) m USING (sku, location)
    LEFT JOIN LATERAL (
      SELECT on_hand_after, reserved_after FROM inventory_movements mv
      WHERE mv.sku = l.sku AND mv.location = l.location ORDER BY id DESC LIMIT 1
    ) last ON true
    WHERE coalesce(m.sum_on_hand, 0) <> l.on_hand OR coalesce(m.sum_reserved, 0) <> l.reserved
       OR (last.on_hand_after IS NOT NULL AND (last.on_hand_after <> l.on_hand OR last.reserved_after <> l.reserved))`.execute(db);
  return result.rows;
}

/** Levels whose `reserved` differs from the units of active reservations' lines at that level. */
export async function reservedMismatches(db: TestDb): Promise<unknown[]> {
  const result = await sql`
    SELECT l.sku, l.location, l.reserved, coalesce(a.units, 0) AS active_units
    FROM inventory_levels l
    LEFT JOIN (
      SELECT rl.sku, rl.location, sum(rl.quantity)::int AS units
      FROM reservation_lines rl JOIN reservations r ON r.id = rl.reservation_id
      WHERE r.status = 'active' GROUP BY rl.sku, rl.location
    ) a USING (sku, location)
    WHERE l.reserved <> coalesce(a.units, 0)`.execute(db);
  return result.rows;
}

/** Asserts every stock invariant: levels within bounds (also enforced by CHECKs), ledger and reservations agree. */
export async function expectConsistent(db: TestDb): Promise<void> {
  const negative = await sql`SELECT sku, location FROM inventory_levels WHERE on_hand < 0 OR reserved < 0 OR available < 0`.execute(db);
  expect(negative.rows).toEqual([]);
  expect(await ledgerMismatches(db)).toEqual([]);
  expect(await reservedMismatches(db)).toEqual([]);
}

/** Runs `fn` and returns its AppError (fails the test when it resolves or throws something else). */
export async function appError(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (error) {
    if (AppError.is(error)) return error;
    throw error;
  }
  throw new Error('expected an AppError, but the call succeeded');
}

/** Settles every promise and splits the outcomes into values and AppErrors (anything else is rethrown). */
export async function settle<T>(promises: ReadonlyArray<Promise<T>>): Promise<{ ok: T[]; failed: AppError[] }> {
  const results = await Promise.allSettled(promises);
  const ok: T[] = [];
  const failed: AppError[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') ok.push(result.value);
    else if (AppError.is(result.reason)) failed.push(result.reason);
    else throw result.reason;
  }
  return { ok, failed };
}

/** A Fisher-Yates shuffle with Math.random (tests that race operations in random order). */
export function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** A fresh order reference. */
export function orderRef(): string {
  return `ord_${randomBytes(8).toString('hex')}`;
}
