import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from '@mcpfed/queue';
import { createLogger } from '@mcpfed/telemetry';
import { createTestDatabase, createTestRedis, idempotencyKey } from '@mcpfed/testing';
import type { TestDatabase, TestRedis } from '@mcpfed/testing';
import { createReservationExpiryQueue, expiryJobId, startInventoryWorkers } from '../src/inventory/index.ts';
import type { InventoryTables, InventoryWorkers, ReservationExpiryQueue } from '../src/inventory/index.ts';
import { ReservationService } from '../src/inventory/service/reservation-service.ts';
import type { ReservationExpiryScheduler } from '../src/inventory/service/reservation-service.ts';
import { eventually } from './catalog-fixtures.ts';
import { CALLER, expectConsistent, inventoryTestMigrations, level, orderRef, stockedProduct } from './inventory-fixtures.ts';
import type { TestDb } from './inventory-fixtures.ts';

const logger = createLogger({ name: 'inventory-expiry-test', level: process.env['MCPFED_TEST_LOGS'] ? 'debug' : 'silent' });
let database: TestDatabase<InventoryTables>;
let db: TestDb;
let redis: TestRedis;
let prefix: string;
let expiry: ReservationExpiryQueue;
let workers: InventoryWorkers;
const connections: Redis[] = [];

function connection(name: string, url = redis.url): Redis {
  const c = createRedisConnection({ url, name, logger });
  connections.push(c);
  return c;
}

beforeAll(async () => {
  database = await createTestDatabase<InventoryTables>({ name: 'inventory_expiry', migrations: inventoryTestMigrations, max: 10 });
  db = database.db;
  redis = await createTestRedis({ label: 'inventory-expiry' });
  prefix = redis.prefix.replace(/:$/, '');
  expiry = createReservationExpiryQueue({ connection: connection('expiry-queue'), prefix, logger });
  // The sweeper is off here: every expiry in this file must come from a BullMQ job.
  workers = await startInventoryWorkers({
    db,
    logger,
    connection: createRedisConnection({ url: redis.url, name: 'expiry-worker', logger }),
    prefix,
    sweepIntervalMs: 0,
  });
});

afterAll(async () => {
  await workers?.close();
  await expiry?.queue.obliterate({ force: true }).catch(() => undefined);
  await expiry?.close();
  for (const c of connections) c.disconnect();
  await redis?.cleanup();
  await database?.drop();
});

/** Reserves through the service; `scheduler` null means no expiry job at all. */
function reserve(sku: string, quantity: number, ttl: number, scheduler: ReservationExpiryScheduler | null = expiry) {
  return new ReservationService(db, scheduler ?? undefined).reserve(
    {
      order_reference: orderRef(),
      lines: [{ sku, quantity }],
      ttl_seconds: ttl,
      idempotency_key: idempotencyKey(),
    },
    CALLER,
  );
}

async function status(id: string): Promise<string> {
  return (await db.selectFrom('reservations').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
}

async function finishedJob(reservationId: string) {
  const id = expiryJobId(reservationId);
  await eventually(async () => ((await expiry.queue.getJobState(id)) === 'completed' ? true : undefined), 8000);
  // Read after completion: a Job object fetched earlier holds no return value.
  return expiry.queue.getJob(id);
}

describe('reservation expiry through a delayed BullMQ job', () => {
  it('schedules one delayed job per reservation and expires it at its TTL', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 5 });
    const started = Date.now();
    const { reservation } = await reserve(sku, 2, 1);
    const job = await expiry.queue.getJob(expiryJobId(reservation.id));
    expect(job?.data).toEqual({ reservation_id: reservation.id });
    expect(job?.opts.delay).toBe(1000);
    expect(await job?.getState()).toBe('delayed');
    expect(await level(db, sku, 'BER-1')).toMatchObject({ reserved: 2, available: 3 });

    const done = await finishedJob(reservation.id);
    expect(done?.returnvalue).toBe('expired');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await status(reservation.id)).toBe('expired');
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 5, reserved: 0, available: 5 });
    const moves = await db
      .selectFrom('inventory_movements')
      .select(['kind', 'delta_reserved', 'actor'])
      .where('reservation_id', '=', reservation.id)
      .orderBy('id')
      .execute();
    expect(moves).toEqual([
      { kind: 'reserve', delta_reserved: 2, actor: 'test:inventory' },
      { kind: 'expire', delta_reserved: -2, actor: 'system:reservation-expiry' },
    ]);
    await expectConsistent(db);
  });

  it('a commit before the TTL wins: the job then finds the reservation final and changes nothing', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 5 });
    const { reservation } = await reserve(sku, 2, 1);
    const committed = await new ReservationService(db).commit({ reservation_id: reservation.id, idempotency_key: idempotencyKey() }, CALLER);
    expect(committed.changed).toBe(true);
    const done = await finishedJob(reservation.id);
    expect(done?.returnvalue).toBe('final');
    expect(await status(reservation.id)).toBe('committed');
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 3, reserved: 0, available: 3 });
    const kinds = await db.selectFrom('inventory_movements').select('kind').where('reservation_id', '=', reservation.id).orderBy('id').execute();
    expect(kinds.map((k) => k.kind)).toEqual(['reserve', 'commit']);
    await expectConsistent(db);
  });

  it('a release before the TTL wins the same way', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 5 });
    const { reservation } = await reserve(sku, 1, 1);
    await new ReservationService(db).release({ order_reference: reservation.order_reference, idempotency_key: idempotencyKey() }, CALLER);
    expect((await finishedJob(reservation.id))?.returnvalue).toBe('final');
    expect(await status(reservation.id)).toBe('released');
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 5, reserved: 0 });
    await expectConsistent(db);
  });

  it('commit racing the job at the TTL: exactly one wins, ten times over', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 100 });
    const reservations = await Promise.all(Array.from({ length: 10 }, () => reserve(sku, 1, 1)));
    await sleep(950);
    const commits = await Promise.allSettled(
      reservations.map((r) => new ReservationService(db).commit({ reservation_id: r.reservation.id, idempotency_key: idempotencyKey() }, CALLER)),
    );
    const jobs = await Promise.all(reservations.map((r) => finishedJob(r.reservation.id)));
    let committedUnits = 0;
    for (const [i, r] of reservations.entries()) {
      const commitWon = commits[i]?.status === 'fulfilled';
      const jobWon = jobs[i]?.returnvalue === 'expired';
      expect(commitWon !== jobWon).toBe(true);
      expect(await status(r.reservation.id)).toBe(commitWon ? 'committed' : 'expired');
      if (commitWon) committedUnits++;
    }
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 100 - committedUnits, reserved: 0 });
    await expectConsistent(db);
  });

  it('scheduling the same reservation twice keeps one job', async () => {
    await expiry.schedule('rsv_0000000000000000000000000a', 60_000);
    await expiry.schedule('rsv_0000000000000000000000000a', 30_000);
    const job = await expiry.queue.getJob(expiryJobId('rsv_0000000000000000000000000a'));
    expect(job?.opts.delay).toBe(60_000);
    expect(await expiry.queue.getDelayedCount()).toBeGreaterThanOrEqual(1);
    await job?.remove();
  });

  it('a job that fires before the TTL expires nothing and is retried', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 5 });
    const { reservation } = await reserve(sku, 1, 900, null);
    await expiry.schedule(reservation.id, 0);
    const job = await eventually(async () => {
      const j = await expiry.queue.getJob(expiryJobId(reservation.id));
      return j !== undefined && j.attemptsMade >= 1 ? j : undefined;
    }, 8000);
    expect(job.failedReason).toBe(`reservation ${reservation.id} is not due yet`);
    expect(await status(reservation.id)).toBe('active');
    expect(await level(db, sku, 'BER-1')).toMatchObject({ reserved: 1 });
    await job.remove().catch(() => undefined);
  });
});

describe('without a job', () => {
  it('the sweeper expires a reservation whose job never existed', async () => {
    const sweeper = await startInventoryWorkers({ db, logger, sweepIntervalMs: 0, sweepGraceMs: 0 });
    try {
      const sku = await stockedProduct(db, { 'BER-1': 5 });
      const { reservation } = await reserve(sku, 2, 1, null);
      expect(await expiry.queue.getJob(expiryJobId(reservation.id))).toBeUndefined();
      expect(await sweeper.sweep()).toBe(0);
      await sleep(1100);
      expect(await sweeper.sweep()).toBe(1);
      expect(await status(reservation.id)).toBe('expired');
      expect(await level(db, sku, 'BER-1')).toMatchObject({ reserved: 0, available: 5 });
      expect(await sweeper.sweep()).toBe(0);
      await expectConsistent(db);
    } finally {
      await sweeper.close();
    }
  });

  it('reserve does not wait for an unreachable Redis longer than the enqueue timeout', async () => {
    const deadRedis = connection('dead', 'redis://127.0.0.1:1');
    const slow = createReservationExpiryQueue({ connection: deadRedis, prefix, logger, enqueueTimeoutMs: 100 });
    const sku = await stockedProduct(db, { 'BER-1': 5 });
    const started = Date.now();
    const { reservation } = await reserve(sku, 1, 60, slow);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(reservation.status).toBe('active');
    deadRedis.disconnect();
  });
});
