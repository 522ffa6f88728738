import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@mcpfed/db';
import { expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { ALL_TEST_SCOPES, startFederationStack } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';
import { pollUntil } from './money-rows.ts';
import { startPrivateRedis } from './private-redis.ts';
import type { PrivateRedis } from './private-redis.ts';
import { projectionCaughtUp } from './projection-stats.ts';

// Every server on a Redis of this file alone, which loses everything mid-run (FLUSHALL) while order events wait
// for a consumer that is down, checkouts wait in their retry backoff, and reservations and authorizations wait for
// their delayed expiry jobs. Nothing may depend on Redis keeping it: the databases are the truth.

const INVENTORY_SWEEP_MS = 1000;
const INVENTORY_GRACE_MS = 1000;
const PAYMENT_SWEEP_MS = 1000;
/** What a loaded 2-core machine may add to a sweep's interval. */
const SLACK_MS = 2000;

let redis: PrivateRedis;
let admin: Redis;
let stack: FederationStack;
let staff: Client;
let customers: string[];

beforeAll(async () => {
  redis = await startPrivateRedis();
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  stack = await startFederationStack({
    label: 'redisloss',
    redisUrl: redis.url,
    orderEnv: { UPSTREAM_BREAKER_HALF_OPEN_MS: '300', SAGA_BACKOFF_MS: '1000' },
    productEnv: { INVENTORY_SWEEP_INTERVAL_MS: String(INVENTORY_SWEEP_MS), INVENTORY_SWEEP_GRACE_MS: String(INVENTORY_GRACE_MS) },
    paymentEnv: { PAYMENT_AUTHORIZATION_TTL: '8s', PAYMENT_RECONCILE_INTERVAL_MS: String(PAYMENT_SWEEP_MS) },
  });
  customers = await Promise.all(Array.from({ length: 4 }, () => stack.createCustomer()));
  await stack.createProduct('RDL-001', 700, 1000);
  staff = await stack.mcp('order', ALL_TEST_SCOPES);
}, 120_000);

afterAll(async () => {
  admin?.disconnect();
  await stack?.close();
  await redis?.kill();
});

type Placed = { order: { id: string; version: number; status: string } };
const place = (i: number, waitMs: number) =>
  expectToolOk<Placed>(staff, 'order_place', {
    customer_id: customers[i % customers.length],
    lines: [{ sku: 'RDL-001', quantity: 1 + (i % 3) }],
    payment_method: 'pm_card_visa',
    idempotency_key: idempotencyKey(),
    wait_ms: waitMs,
  });

describe('Redis loses everything mid-run', () => {
  it('loses no order event, checkout, reservation expiry or authorization expiry for good', async () => {
    const confirmed = await Promise.all(Array.from({ length: 8 }, (_, i) => place(i, 25_000)));
    expect(confirmed.map((p) => p.order.status)).toEqual(confirmed.map(() => 'confirmed'));

    // The customer server (the events' consumer, and the checkouts' first step) goes down.
    await stack.customer.kill();
    for (const [i, { order }] of confirmed.slice(0, 4).entries()) {
      const args = { order_id: order.id, expected_version: order.version, idempotency_key: idempotencyKey() };
      await expectToolOk(staff, i % 2 === 0 ? 'order_cancel' : 'order_refund', args);
    }
    const waiting = await Promise.all(Array.from({ length: 6 }, (_, i) => place(i, 0)));
    const waitingIds = waiting.map((p) => p.order.id);
    const inBackoff = await pollUntil(
      async () =>
        (
          await sql<{ n: string }>`
        SELECT count(*) AS n FROM checkout_sagas WHERE order_id = ANY(${waitingIds}) AND status = 'running' AND last_error IS NOT NULL`.execute(
            stack.orderDb.db,
          )
        ).rows[0]?.n,
      (n) => n === String(waitingIds.length),
      20_000,
    );
    expect(inBackoff).toBe(String(waitingIds.length));
    const product = await stack.mcp('product', ALL_TEST_SCOPES);
    const reservations = await Promise.all(
      Array.from({ length: 3 }, () =>
        expectToolOk<{ reservation: { id: string; expires_at: string } }>(product, 'inventory_reserve', {
          order_reference: `rdl-${idempotencyKey()}`,
          lines: [{ sku: 'RDL-001', quantity: 1 }],
          ttl_seconds: 3,
          idempotency_key: idempotencyKey(),
        }),
      ),
    );
    const payment = await stack.mcp('payment', ALL_TEST_SCOPES);
    const authorizations = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        expectToolOk<{ payment: { id: string; expires_at: string } }>(payment, 'payment_authorize', {
          order_ref: `rdl-${idempotencyKey()}`,
          customer_id: customers[i],
          amount: 1500,
          currency: 'EUR',
          payment_method: 'pm_card_visa',
          idempotency_key: idempotencyKey(),
        }),
      ),
    );

    expect(await admin.flushall()).toBe('OK');
    await stack.customer.restart();
    const back = Date.now();

    // Every order reaches a final state within 10 s of Redis (and the consumer) being back.
    const allIds = [...confirmed, ...waiting].map((p) => p.order.id);
    const open = await pollUntil(
      async () =>
        (
          await sql<{ order_id: string }>`
        SELECT order_id FROM checkout_sagas WHERE order_id = ANY(${allIds}) AND status NOT IN ('completed', 'failed')`.execute(stack.orderDb.db)
        ).rows,
      (rows) => rows.length === 0,
      back + 10_000 - Date.now(),
    );
    expect(open).toEqual([]);
    const finalAfterMs = Date.now() - back;
    const statuses = await sql<{ status: string }>`SELECT DISTINCT status FROM orders WHERE id = ANY(${waitingIds})`.execute(stack.orderDb.db);
    expect(statuses.rows).toEqual([{ status: 'confirmed' }]);

    // The customer projection equals the order database, also within 10 s.
    const { expected, actual } = await projectionCaughtUp(stack, customers, back + 10_000 - Date.now());
    expect(actual).toEqual(expected);
    console.info(`redis-loss: every order final ${finalAfterMs} ms and the projection equal ${Date.now() - back} ms after Redis and the consumer were back`);
    const lost = await pollUntil(
      async () => (await sql<{ n: string }>`SELECT count(*) AS n FROM order_events WHERE delivered_at IS NULL`.execute(stack.orderDb.db)).rows[0]?.n,
      (n) => n === '0',
      10_000,
    );
    expect(lost).toBe('0');

    // No reservation outlives its TTL by more than the sweep (interval + grace); no authorization by more than its sweep.
    const reservationIds = reservations.map((r) => r.reservation.id);
    const expiredReservations = await pollUntil(
      async () =>
        (
          await sql<{ id: string; status: string; late_ms: number | null }>`
        SELECT id, status, (extract(epoch FROM finished_at - expires_at) * 1000)::int AS late_ms FROM reservations WHERE id = ANY(${reservationIds})`.execute(
            stack.productDb.db,
          )
        ).rows,
      (rows) => rows.every((r) => r.status !== 'active'),
      20_000,
    );
    for (const row of expiredReservations) {
      expect(row.status).toBe('expired');
      expect(row.late_ms).toBeLessThanOrEqual(INVENTORY_SWEEP_MS + INVENTORY_GRACE_MS + SLACK_MS);
    }
    const paymentIds = authorizations.map((a) => a.payment.id);
    const expiresAt = new Map(authorizations.map((a) => [a.payment.id, new Date(a.payment.expires_at).getTime()]));
    const voided = await pollUntil(
      async () =>
        (
          await sql<{ id: string; status: string; void_reason: string | null; voided_at: Date | null }>`
        SELECT id, status, void_reason, voided_at FROM payments WHERE id = ANY(${paymentIds})`.execute(stack.paymentDb.db)
        ).rows,
      (rows) => rows.every((r) => r.status !== 'authorized'),
      30_000,
    );
    for (const row of voided) {
      expect([row.status, row.void_reason]).toEqual(['voided', 'expired']);
      expect((row.voided_at as Date).getTime() - (expiresAt.get(row.id) as number)).toBeLessThanOrEqual(PAYMENT_SWEEP_MS + SLACK_MS);
    }

    // Once more with every process up: the workers and relays of the running servers go on after a flush.
    for (const { order } of confirmed.slice(4, 6)) {
      const current = await expectToolOk<{ order: { version: number } }>(staff, 'order_get', { order_id: order.id });
      await expectToolOk(staff, 'order_cancel', { order_id: order.id, expected_version: current.order.version, idempotency_key: idempotencyKey() });
    }
    expect(await admin.flushall()).toBe('OK');
    const again = await projectionCaughtUp(stack, customers, 10_000);
    expect(again.actual).toEqual(again.expected);
  }, 180_000);
});
