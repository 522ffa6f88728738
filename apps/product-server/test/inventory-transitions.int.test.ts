import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@mcpfed/errors';
import { createTestDatabase, idempotencyKey } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import type { InventoryTables } from '../src/inventory/index.ts';
import { InventoryService } from '../src/inventory/service/inventory-service.ts';
import { ReservationService } from '../src/inventory/service/reservation-service.ts';
import { CALLER, EXPIRY, adjust, appError, expectConsistent, inventoryTestMigrations, level, orderRef, shuffle, stockedProduct } from './inventory-fixtures.ts';
import type { TestDb } from './inventory-fixtures.ts';

let database: TestDatabase<InventoryTables>;
let db: TestDb;

beforeAll(async () => {
  database = await createTestDatabase<InventoryTables>({ name: 'inventory_transitions', migrations: inventoryTestMigrations, max: 20 });
  db = database.db;
});

afterAll(async () => {
  await database?.drop();
});

const service = () => new ReservationService(db);

function reserve(lines: Array<{ sku: string; quantity: number; location?: string }>, ttl = 900, reference = orderRef()) {
  return service().reserve({ order_reference: reference, lines, ttl_seconds: ttl, idempotency_key: idempotencyKey() }, CALLER);
}
const commit = (id: string) => service().commit({ reservation_id: id, idempotency_key: idempotencyKey() }, CALLER);
const release = (id: string) => service().release({ reservation_id: id, idempotency_key: idempotencyKey() }, CALLER);

describe('commit, release and expiry', () => {
  it('commit takes the units out of stock once; a second commit changes nothing', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 10 });
    const { reservation } = await reserve([{ sku, quantity: 4 }]);
    const first = await commit(reservation.id);
    expect(first.changed).toBe(true);
    expect(first.reservation).toMatchObject({ id: reservation.id, status: 'committed', lines: reservation.lines, total: reservation.total });
    expect(first.reservation.finished_at).not.toBeNull();
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 6, reserved: 0, available: 6 });
    const again = await service().commit({ order_reference: reservation.order_reference, idempotency_key: idempotencyKey() }, CALLER);
    expect(again).toEqual({ reservation: first.reservation, changed: false, replayed: false });
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 6, reserved: 0 });
    const afterCommit = await appError(() => release(reservation.id));
    expect(afterCommit.code).toBe('PRECONDITION_FAILED');
    expect(afterCommit.details).toEqual({ reason: 'reservation_final', reservation_id: reservation.id, status: 'committed' });
    expect(await service().expire(reservation.id, EXPIRY)).toBe('final');
    await expectConsistent(db);
  });

  it('release frees the units; releasing again changes nothing; commit after release is refused', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 10 });
    const { reservation } = await reserve([{ sku, quantity: 4 }]);
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 10, reserved: 4, available: 6 });
    const first = await release(reservation.id);
    expect(first.changed).toBe(true);
    expect(first.reservation.status).toBe('released');
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 10, reserved: 0, available: 10 });
    expect(await release(reservation.id)).toEqual({ reservation: first.reservation, changed: false, replayed: false });
    const refused = await appError(() => commit(reservation.id));
    expect(refused.code).toBe('PRECONDITION_FAILED');
    expect(refused.details).toEqual({ reason: 'reservation_final', reservation_id: reservation.id, status: 'released' });
    await expectConsistent(db);
  });

  it('expiry frees the units only once the TTL passed, and then commit is refused and release is a no-op', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 10 });
    const fresh = await reserve([{ sku, quantity: 2 }], 900);
    expect(await service().expire(fresh.reservation.id, EXPIRY)).toBe('not_due');
    const { reservation } = await reserve([{ sku, quantity: 3 }], 900);
    await sql`UPDATE reservations SET expires_at = now() - interval '1 second' WHERE id = ${reservation.id}`.execute(db);
    const late = await appError(() => commit(reservation.id));
    expect(late.code).toBe('PRECONDITION_FAILED');
    expect(late.details).toMatchObject({ reason: 'reservation_expired', reservation_id: reservation.id, status: 'expired' });
    expect(await service().expire(reservation.id, EXPIRY)).toBe('expired');
    expect(await service().expire(reservation.id, EXPIRY)).toBe('final');
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 10, reserved: 2, available: 8 });
    const released = await release(reservation.id);
    expect(released.changed).toBe(false);
    expect(released.reservation.status).toBe('expired');
    const refused = await appError(() => commit(reservation.id));
    expect(refused.details).toMatchObject({ reason: 'reservation_final', status: 'expired' });
    const moves = await db
      .selectFrom('inventory_movements')
      .select(['kind', 'delta_on_hand', 'delta_reserved', 'actor'])
      .where('reservation_id', '=', reservation.id)
      .orderBy('id')
      .execute();
    expect(moves).toEqual([
      { kind: 'reserve', delta_on_hand: 0, delta_reserved: 3, actor: 'test:inventory' },
      { kind: 'expire', delta_on_hand: 0, delta_reserved: -3, actor: 'system:reservation-expiry' },
    ]);
    expect(await service().expire('rsv_00000000000000000000000000', EXPIRY)).toBe('missing');
    await expectConsistent(db);
  });

  it('NOT_FOUND for an unknown reservation id or order reference', async () => {
    const byId = await appError(() => commit('rsv_00000000000000000000000000'));
    expect(byId.code).toBe('NOT_FOUND');
    expect(byId.details).toEqual({ reservation_id: 'rsv_00000000000000000000000000' });
    const byRef = await appError(() => service().release({ order_reference: 'ord_missing', idempotency_key: idempotencyKey() }, CALLER));
    expect(byRef.code).toBe('NOT_FOUND');
    expect(byRef.details).toEqual({ order_reference: 'ord_missing' });
  });

  it('the sweeper expires overdue active reservations and leaves the rest', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 10 });
    const overdue = await reserve([{ sku, quantity: 1 }]);
    const recent = await reserve([{ sku, quantity: 1 }]);
    const current = await reserve([{ sku, quantity: 1 }]);
    await sql`UPDATE reservations SET expires_at = now() - interval '1 minute' WHERE id = ${overdue.reservation.id}`.execute(db);
    await sql`UPDATE reservations SET expires_at = now() - interval '1 second' WHERE id = ${recent.reservation.id}`.execute(db);
    expect(await service().expireOverdue(5000, 100, EXPIRY)).toEqual({ examined: 1, expired: 1 });
    const statuses = await db
      .selectFrom('reservations')
      .select(['id', 'status'])
      .where('id', 'in', [overdue.reservation.id, recent.reservation.id, current.reservation.id])
      .execute();
    expect(Object.fromEntries(statuses.map((r) => [r.id, r.status]))).toEqual({
      [overdue.reservation.id]: 'expired',
      [recent.reservation.id]: 'active',
      [current.reservation.id]: 'active',
    });
    await expectConsistent(db);
  });
});

type Outcome = { op: 'commit' | 'release' | 'expire'; won: boolean; status?: string };

/** Runs an operation and says whether it moved the reservation out of `active`. */
async function race(op: Outcome['op'], id: string): Promise<Outcome> {
  try {
    if (op === 'expire') {
      const outcome = await service().expire(id, EXPIRY);
      expect(['expired', 'final']).toContain(outcome);
      return { op, won: outcome === 'expired' };
    }
    const result = op === 'commit' ? await commit(id) : await release(id);
    return { op, won: result.changed, status: result.reservation.status };
  } catch (error) {
    if (!AppError.is(error) || error.code !== 'PRECONDITION_FAILED') throw error;
    expect(['reservation_final', 'reservation_expired']).toContain(error.details?.['reason']);
    return { op, won: false };
  }
}

describe('interleaved commit / release / expiry races', () => {
  it('exactly one of commit, release and expiry wins each reservation; stock never goes negative; the ledger adds up', async () => {
    const skus = [await stockedProduct(db, { 'BER-1': 200, 'HAM-1': 100 }), await stockedProduct(db, { 'BER-1': 300 })];
    const initialOnHand = 600;
    let committedUnits = 0;
    let adjustedUnits = 0;
    const wins = { commit: 0, release: 0, expire: 0 };
    for (let round = 0; round < 12; round++) {
      const reservations = await Promise.all(
        Array.from({ length: 8 }, () =>
          reserve(
            shuffle(skus)
              .slice(0, 1 + Math.floor(Math.random() * 2))
              .map((sku) => ({ sku, quantity: 1 + Math.floor(Math.random() * 3) })),
            // A 1 s TTL makes the reservation due for expiry (within the 1 s clock tolerance) while commit still takes it.
            1,
          ),
        ),
      );
      const ops: Array<Promise<unknown>> = [];
      const perReservation = reservations.map((r) => {
        const raced = shuffle(['commit', 'release', 'expire'] as const).map((op) => race(op, r.reservation.id));
        ops.push(...raced);
        return Promise.all(raced);
      });
      // Concurrent stock-takes on the same levels: a damaged unit written off, or refused when nothing is available.
      const adjustments = shuffle(skus).map((sku) =>
        adjust(db, sku, 'BER-1', -1, 'damaged').then(
          () => (adjustedUnits -= 1),
          (error: unknown) => expect(error).toMatchObject({ code: 'PRECONDITION_FAILED', details: { reason: 'insufficient_stock' } }),
        ),
      );
      await Promise.all([...ops, ...adjustments]);
      const outcomes = await Promise.all(perReservation);
      for (const [i, results] of outcomes.entries()) {
        const winners = results.filter((r) => r.won);
        expect(winners).toHaveLength(1);
        const winner = winners[0] as Outcome;
        wins[winner.op]++;
        const reservation = reservations[i]?.reservation;
        const row = await db
          .selectFrom('reservations')
          .select('status')
          .where('id', '=', reservation?.id as string)
          .executeTakeFirstOrThrow();
        expect(row.status).toBe({ commit: 'committed', release: 'released', expire: 'expired' }[winner.op]);
        if (winner.op === 'commit') committedUnits += (reservation?.lines ?? []).reduce((sum, l) => sum + l.quantity, 0);
      }
      const totals = await sql<{ on_hand: number; reserved: number; min_available: number }>`
        SELECT sum(on_hand)::int AS on_hand, sum(reserved)::int AS reserved, min(available)::int AS min_available
        FROM inventory_levels WHERE sku = ANY(${skus}::text[])`.execute(db);
      expect(totals.rows[0]).toMatchObject({ on_hand: initialOnHand - committedUnits + adjustedUnits, reserved: 0 });
      expect(totals.rows[0]?.min_available).toBeGreaterThanOrEqual(0);
    }
    // Every kind of winner occurred: the races really were races.
    expect(wins.commit + wins.release + wins.expire).toBe(96);
    expect(wins.commit).toBeGreaterThan(0);
    expect(wins.release).toBeGreaterThan(0);
    expect(wins.expire).toBeGreaterThan(0);
    await expectConsistent(db);
  });

  it('reserve, commit, release, expiry and adjustments interleaved at random keep every invariant', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 25, 'HAM-1': 25 });
    const active: string[] = [];
    const tasks: Array<() => Promise<unknown>> = [];
    for (let i = 0; i < 150; i++) {
      const pick = Math.random();
      if (pick < 0.45) {
        tasks.push(() => reserve([{ sku, quantity: 1 + Math.floor(Math.random() * 4) }], 1).then((r) => active.push(r.reservation.id), swallowPrecondition));
      } else if (pick < 0.85) {
        const op = shuffle(['commit', 'release', 'expire'] as const)[0] as Outcome['op'];
        tasks.push(async () => {
          const id = active[Math.floor(Math.random() * active.length)];
          if (id !== undefined) await race(op, id);
        });
      } else {
        const delta = Math.random() < 0.5 ? -2 : 3;
        tasks.push(() => adjust(db, sku, Math.random() < 0.5 ? 'BER-1' : 'HAM-1', delta, delta < 0 ? 'damaged' : 'received').catch(swallowPrecondition));
      }
    }
    await Promise.all(shuffle(tasks).map((task) => task()));
    await expectConsistent(db);
    const levels = await db.selectFrom('inventory_levels').select(['on_hand', 'reserved', 'available']).where('sku', '=', sku).execute();
    for (const row of levels) {
      expect(row.on_hand).toBeGreaterThanOrEqual(0);
      expect(row.available).toBeGreaterThanOrEqual(0);
    }
    const committed = await sql<{ units: number }>`
      SELECT coalesce(sum(l.quantity), 0)::int AS units FROM reservation_lines l JOIN reservations r ON r.id = l.reservation_id
      WHERE l.sku = ${sku} AND r.status = 'committed'`.execute(db);
    const adjusted = await sql<{ units: number }>`
      SELECT coalesce(sum(delta_on_hand), 0)::int AS units FROM inventory_movements WHERE sku = ${sku} AND kind = 'adjust'`.execute(db);
    expect(levels.reduce((sum, row) => sum + row.on_hand, 0)).toBe((adjusted.rows[0]?.units ?? 0) - (committed.rows[0]?.units ?? 0));
  });
});

describe('inventory_adjust', () => {
  it('never takes available below zero: refused with the numbers, nothing written', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 5 });
    await reserve([{ sku, quantity: 3 }]);
    const movementsBefore = await db.selectFrom('inventory_movements').select('id').where('sku', '=', sku).execute();
    const error = await appError(() => adjust(db, sku, 'BER-1', -3, 'damaged'));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.details).toEqual({ reason: 'insufficient_stock', sku, location: 'BER-1', on_hand: 5, reserved: 3, available: 2, delta: -3 });
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 5, reserved: 3, available: 2 });
    expect(await db.selectFrom('inventory_movements').select('id').where('sku', '=', sku).execute()).toEqual(movementsBefore);
    const ok = await adjust(db, sku, 'BER-1', -2, 'damaged');
    expect(ok.level).toMatchObject({ sku, location: 'BER-1', on_hand: 3, reserved: 3, available: 0 });
    expect(ok.movement).toMatchObject({ kind: 'adjust', delta_on_hand: -2, delta_reserved: 0, on_hand_after: 3, reserved_after: 3, reason: 'damaged' });
    const unknownLocation = await appError(() => adjust(db, sku, 'MUC-1', -1, 'correction'));
    expect(unknownLocation.details).toMatchObject({ reason: 'insufficient_stock', available: 0 });
    expect(await level(db, sku, 'MUC-1')).toBeUndefined();
    await expectConsistent(db);
  });

  it('200 concurrent write-offs of 1 unit from 50 available leave exactly 0, never below', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 50 });
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => adjust(db, sku, 'BER-1', -1, 'damaged')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(50);
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 0, reserved: 0, available: 0 });
    await expectConsistent(db);
  });

  it('the database refuses a level below zero even if code tried (CHECK constraints)', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 1 });
    await expect(sql`UPDATE inventory_levels SET on_hand = -1 WHERE sku = ${sku}`.execute(db)).rejects.toMatchObject({ code: '23514' });
    await reserve([{ sku, quantity: 1 }]);
    await expect(sql`UPDATE inventory_levels SET on_hand = 0 WHERE sku = ${sku}`.execute(db)).rejects.toMatchObject({
      code: '23514',
      constraint: 'inventory_levels_reserved_within_on_hand',
    });
    const got = await new InventoryService(db).get({ skus: [sku] }, CALLER);
    expect(got.items).toEqual([{ sku, on_hand: 1, reserved: 1, available: 0, locations: [{ location: 'BER-1', on_hand: 1, reserved: 1, available: 0 }] }]);
  });
});

function swallowPrecondition(error: unknown): void {
  if (!AppError.is(error) || error.code !== 'PRECONDITION_FAILED') throw error;
}
