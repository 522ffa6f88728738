import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, idempotencyKey } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import type { InventoryTables } from '../src/inventory/index.ts';
import { ReservationService } from '../src/inventory/service/reservation-service.ts';
import {
  CALLER,
  adjust,
  appError,
  expectConsistent,
  insertProduct,
  inventoryTestMigrations,
  level,
  orderRef,
  settle,
  shuffle,
  stockedProduct,
} from './inventory-fixtures.ts';
import type { TestDb } from './inventory-fixtures.ts';

let database: TestDatabase<InventoryTables>;
let db: TestDb;

beforeAll(async () => {
  database = await createTestDatabase<InventoryTables>({ name: 'inventory_reserve', migrations: inventoryTestMigrations, max: 20 });
  db = database.db;
});

afterAll(async () => {
  await database?.drop();
});

function reserve(lines: Array<{ sku: string; quantity: number; location?: string }>, reference = orderRef(), ttl = 900) {
  return new ReservationService(db).reserve({ order_reference: reference, lines, ttl_seconds: ttl, idempotency_key: idempotencyKey() }, CALLER);
}

describe('inventory_reserve under concurrency', () => {
  it('200 concurrent reservations of 1 unit of a 50-unit sku reserve exactly 50', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 50 });
    const { ok, failed } = await settle(Array.from({ length: 200 }, () => reserve([{ sku, quantity: 1 }])));
    expect(ok).toHaveLength(50);
    expect(failed).toHaveLength(150);
    expect(new Set(failed.map((e) => e.code))).toEqual(new Set(['PRECONDITION_FAILED']));
    expect(new Set(failed.map((e) => e.details?.['reason']))).toEqual(new Set(['insufficient_stock']));
    expect(failed[0]?.details?.['lines']).toEqual([{ sku, location: null, requested: 1, available: 0 }]);
    expect(await level(db, sku, 'BER-1')).toEqual({ on_hand: 50, reserved: 50, available: 0, version: 52 });
    const lines = await sql<{ units: number; reservations: number }>`
      SELECT sum(quantity)::int AS units, count(DISTINCT reservation_id)::int AS reservations FROM reservation_lines WHERE sku = ${sku}`.execute(db);
    expect(lines.rows[0]).toEqual({ units: 50, reservations: 50 });
    const orphans = await sql`SELECT r.id FROM reservations r LEFT JOIN reservation_lines l ON l.reservation_id = r.id WHERE l.reservation_id IS NULL`.execute(
      db,
    );
    expect(orphans.rows).toEqual([]);
    await expectConsistent(db);
  });

  it('200 concurrent reservations of 1-3 units never over-reserve; every refusal asked for more than was left', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 30, 'HAM-1': 20 });
    const quantities = Array.from({ length: 200 }, () => 1 + Math.floor(Math.random() * 3));
    const outcomes = await Promise.allSettled(quantities.map((quantity) => reserve([{ sku, quantity }])));
    const reservedUnits = quantities.filter((_q, i) => outcomes[i]?.status === 'fulfilled').reduce((a, b) => a + b, 0);
    const after = { ber: await level(db, sku, 'BER-1'), ham: await level(db, sku, 'HAM-1') };
    expect((after.ber?.reserved ?? 0) + (after.ham?.reserved ?? 0)).toBe(reservedUnits);
    expect(reservedUnits).toBeLessThanOrEqual(50);
    const finalAvailable = (after.ber?.available ?? 0) + (after.ham?.available ?? 0);
    expect(finalAvailable).toBe(50 - reservedUnits);
    quantities.forEach((quantity, i) => {
      if (outcomes[i]?.status === 'rejected') expect(quantity).toBeGreaterThan(finalAvailable);
    });
    // Available only shrinks, so the last refusal saw at most 2 units: at most 2 can be left.
    expect(finalAvailable).toBeLessThanOrEqual(2);
    await expectConsistent(db);
  });

  it('concurrent multi-sku reservations with lines in random order neither deadlock nor over-reserve', async () => {
    const skus = [await stockedProduct(db, { 'BER-1': 40 }), await stockedProduct(db, { 'BER-1': 40, 'MUC-1': 10 }), await stockedProduct(db, { 'HAM-1': 40 })];
    const orders = Array.from({ length: 120 }, () =>
      shuffle(skus)
        .slice(0, 2 + Math.floor(Math.random() * 2))
        .map((sku) => ({ sku, quantity: 1 + Math.floor(Math.random() * 2) })),
    );
    const outcomes = await Promise.allSettled(orders.map((lines) => reserve(lines)));
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'PRECONDITION_FAILED', details: { reason: 'insufficient_stock' } });
    }
    const reservedPerSku = new Map<string, number>();
    orders.forEach((lines, i) => {
      if (outcomes[i]?.status !== 'fulfilled') return;
      for (const line of lines) reservedPerSku.set(line.sku, (reservedPerSku.get(line.sku) ?? 0) + line.quantity);
    });
    for (const sku of skus) {
      const rows = await db.selectFrom('inventory_levels').select(['on_hand', 'reserved']).where('sku', '=', sku).execute();
      expect(rows.reduce((sum, r) => sum + r.reserved, 0)).toBe(reservedPerSku.get(sku) ?? 0);
      for (const row of rows) expect(row.reserved).toBeLessThanOrEqual(row.on_hand);
    }
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThan(0);
    await expectConsistent(db);
  });

  it('the same order reference reserved 20 times at once yields one reservation, replayed to the others', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 10 });
    const reference = orderRef();
    const results = await Promise.all(Array.from({ length: 20 }, () => reserve([{ sku, quantity: 3 }], reference)));
    expect(new Set(results.map((r) => r.reservation.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 10, reserved: 3, available: 7 });
    await expectConsistent(db);
  });
});

describe('inventory_reserve rules', () => {
  it('prices every line from the catalog and keeps that price when the catalog changes', async () => {
    const a = await stockedProduct(db, { 'BER-1': 5 }, { price: 1250 });
    const b = await stockedProduct(db, { 'HAM-1': 5 }, { price: 99 });
    const { reservation, replayed } = await reserve([
      { sku: a, quantity: 2 },
      { sku: b, quantity: 3, location: 'HAM-1' },
    ]);
    expect(replayed).toBe(false);
    expect(reservation.status).toBe('active');
    expect(reservation.lines).toEqual(
      [
        { sku: a, location: 'BER-1', quantity: 2, unit_price: { amount: 1250, currency: 'EUR' }, line_total: { amount: 2500, currency: 'EUR' } },
        { sku: b, location: 'HAM-1', quantity: 3, unit_price: { amount: 99, currency: 'EUR' }, line_total: { amount: 297, currency: 'EUR' } },
      ].sort((x, y) => (x.sku < y.sku ? -1 : 1)),
    );
    expect(reservation.total).toEqual({ amount: 2797, currency: 'EUR' });
    expect(reservation.id).toMatch(/^rsv_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(reservation.finished_at).toBeNull();
    const ttl = Date.parse(reservation.expires_at) - Date.parse(reservation.created_at);
    expect(ttl).toBe(900_000);
    await sql`UPDATE products SET price_amount = 5000 WHERE sku = ${a}`.execute(db);
    const row = await db
      .selectFrom('reservation_lines')
      .select(['unit_price_amount', 'currency'])
      .where('reservation_id', '=', reservation.id)
      .where('sku', '=', a)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ unit_price_amount: '1250', currency: 'EUR' });
  });

  it('allocates a line without location from the fullest locations first and splits it when needed', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 4, 'HAM-1': 6, 'MUC-1': 6 });
    const first = await reserve([{ sku, quantity: 5 }]);
    // HAM-1 and MUC-1 tie at 6: the location code decides.
    expect(first.reservation.lines.map((l) => [l.location, l.quantity])).toEqual([['HAM-1', 5]]);
    const second = await reserve([{ sku, quantity: 8 }]);
    expect(second.reservation.lines.map((l) => [l.location, l.quantity])).toEqual([
      ['BER-1', 2],
      ['MUC-1', 6],
    ]);
    expect(await level(db, sku, 'BER-1')).toMatchObject({ reserved: 2, available: 2 });
    expect(await level(db, sku, 'HAM-1')).toMatchObject({ reserved: 5, available: 1 });
    expect(await level(db, sku, 'MUC-1')).toMatchObject({ reserved: 6, available: 0 });
    await expectConsistent(db);
  });

  it('is all or nothing: one short line reserves nothing and reports requested vs available per line', async () => {
    const plenty = await stockedProduct(db, { 'BER-1': 100 });
    const scarce = await stockedProduct(db, { 'BER-1': 2, 'HAM-1': 1 });
    const reference = orderRef();
    const error = await appError(() =>
      reserve(
        [
          { sku: plenty, quantity: 10 },
          { sku: scarce, quantity: 2, location: 'HAM-1' },
        ],
        reference,
      ),
    );
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.details).toEqual({
      reason: 'insufficient_stock',
      lines: [
        { sku: plenty, location: null, requested: 10, available: 100 },
        { sku: scarce, location: 'HAM-1', requested: 2, available: 1 },
      ].sort((x, y) => (x.sku < y.sku ? -1 : 1)),
    });
    expect(await level(db, plenty, 'BER-1')).toMatchObject({ reserved: 0, version: 2 });
    expect(await db.selectFrom('reservations').select('id').where('order_reference', '=', reference).execute()).toEqual([]);
    // The failed reference is free again.
    const ok = await reserve([{ sku: scarce, quantity: 1, location: 'HAM-1' }], reference);
    expect(ok.reservation.order_reference).toBe(reference);
  });

  it('adds up lines of the same sku and location, and serves located lines before "anywhere" lines', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 3, 'HAM-1': 3 });
    const { reservation } = await reserve([
      { sku, quantity: 1 },
      { sku, quantity: 2, location: 'BER-1' },
      { sku, quantity: 1, location: 'BER-1' },
      { sku, quantity: 1 },
    ]);
    expect(reservation.lines.map((l) => [l.location, l.quantity])).toEqual([
      ['BER-1', 3],
      ['HAM-1', 2],
    ]);
    await expectConsistent(db);
  });

  it('replays the same order reference with the same lines, whatever the line order, and refuses other lines', async () => {
    const a = await stockedProduct(db, { 'BER-1': 10 });
    const b = await stockedProduct(db, { 'BER-1': 10 });
    const reference = orderRef();
    const first = await reserve(
      [
        { sku: a, quantity: 1 },
        { sku: b, quantity: 2 },
      ],
      reference,
    );
    const again = await reserve(
      [
        { sku: b, quantity: 2 },
        { sku: a, quantity: 1 },
      ],
      reference,
      60,
    );
    expect(again).toEqual({ reservation: first.reservation, replayed: true });
    const other = await appError(() => reserve([{ sku: a, quantity: 2 }], reference));
    expect(other.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.details).toEqual({ order_reference: reference, reservation_id: first.reservation.id, status: 'active' });
    expect(await level(db, a, 'BER-1')).toMatchObject({ reserved: 1 });
  });

  it('refuses unknown skus (NOT_FOUND), products not for sale and mixed currencies (PRECONDITION_FAILED)', async () => {
    const ok = await stockedProduct(db, { 'BER-1': 10 });
    const missing = `NOPE-${randomBytes(4).toString('hex').toUpperCase()}`;
    const unknown = await appError(() =>
      reserve([
        { sku: ok, quantity: 1 },
        { sku: missing, quantity: 1 },
      ]),
    );
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.details).toEqual({ skus: [missing] });

    const archived = await stockedProduct(db, { 'BER-1': 10 });
    await sql`UPDATE products SET status = 'archived', archived_at = now() WHERE sku = ${archived}`.execute(db);
    const draft = await insertProduct(db, { status: 'draft' });
    const inactive = await appError(() =>
      reserve([
        { sku: archived, quantity: 1 },
        { sku: draft, quantity: 1 },
        { sku: ok, quantity: 1 },
      ]),
    );
    expect(inactive.code).toBe('PRECONDITION_FAILED');
    expect(inactive.details?.['reason']).toBe('product_not_active');
    expect(inactive.details?.['products']).toEqual(
      expect.arrayContaining([
        { sku: archived, status: 'archived' },
        { sku: draft, status: 'draft' },
      ]),
    );

    const dollars = await stockedProduct(db, { 'BER-1': 10 }, { currency: 'USD' });
    const mixed = await appError(() =>
      reserve([
        { sku: ok, quantity: 1 },
        { sku: dollars, quantity: 1 },
      ]),
    );
    expect(mixed.code).toBe('PRECONDITION_FAILED');
    expect(mixed.details).toEqual({ reason: 'mixed_currencies', currencies: ['EUR', 'USD'] });
    expect(await level(db, ok, 'BER-1')).toMatchObject({ reserved: 0 });
  });

  it('a sku with no stock level at all is simply out of stock', async () => {
    const sku = await insertProduct(db);
    const error = await appError(() => reserve([{ sku, quantity: 1, location: 'BER-1' }]));
    expect(error.details).toEqual({ reason: 'insufficient_stock', lines: [{ sku, location: 'BER-1', requested: 1, available: 0 }] });
    await adjust(db, sku, 'BER-1', 1);
    expect((await reserve([{ sku, quantity: 1, location: 'BER-1' }])).reservation.lines).toHaveLength(1);
  });
});
