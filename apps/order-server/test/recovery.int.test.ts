import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPlace } from '@mcpfed/contract-order';
import { sql } from '@mcpfed/db';
import { idempotencyKey } from '@mcpfed/testing';
import { startFederationStack, placedOrder } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';
import { startPrivateRedis } from './private-redis.ts';
import type { PrivateRedis } from './private-redis.ts';

let stack: FederationStack;
let redis: PrivateRedis;
let customerId: string;

beforeAll(async () => {
  redis = await startPrivateRedis();
  stack = await startFederationStack({
    label: 'recovery',
    orderEnv: {
      // The order server's queue lives in a Redis of this file alone, so it can be killed and restarted.
      REDIS_URL: redis.url,
      SAGA_BACKOFF_MS: '300',
      SAGA_LOCK_MS: '2000',
      SAGA_ENQUEUE_TIMEOUT_MS: '500',
      SWEEPER_INTERVAL_MS: '500',
      SAGA_STUCK_AFTER_MS: '1500',
      UPSTREAM_BREAKER_HALF_OPEN_MS: '300',
    },
    paymentEnv: { PAYMENT_SANDBOX_SLOW_MS: '700' },
  });
  customerId = await stack.createCustomer();
  await stack.createProduct('REC-001', 100, 1000);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await redis?.kill();
});

const place = async (paymentMethod: string, waitMs: number) =>
  stack
    .client('order')
    .call(orderPlace, {
      customer_id: customerId,
      lines: [{ sku: 'REC-001', quantity: 1 }],
      payment_method: paymentMethod,
      idempotency_key: idempotencyKey(),
      wait_ms: waitMs,
    } satisfies z.input<typeof orderPlace.input>)
    .then(placedOrder);

async function waitUntilFinished(ids: readonly string[], timeoutMs: number): Promise<Array<{ order_id: string; status: string; completed_steps: string[] }>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = (
      await sql<{ order_id: string; status: string; completed_steps: string[] }>`
        SELECT order_id, status, completed_steps FROM checkout_sagas WHERE order_id = ANY(${ids}) ORDER BY order_id`.execute(stack.orderDb.db)
    ).rows;
    if (rows.every((row) => row.status === 'completed' || row.status === 'failed') || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every order confirmed with one captured payment, one capture in the ledger and a committed reservation. */
async function expectEachCheckoutDoneOnce(ids: readonly string[]): Promise<void> {
  const orders = await sql<{ status: string }>`SELECT status FROM orders WHERE id = ANY(${ids})`.execute(stack.orderDb.db);
  expect(orders.rows.map((o) => o.status)).toEqual(ids.map(() => 'confirmed'));
  const payments = await sql<{ order_ref: string; status: string; captures: string }>`
    SELECT p.order_ref, p.status, (SELECT count(*) FROM ledger_transactions t WHERE t.payment_id = p.id AND t.kind = 'capture') AS captures
      FROM payments p WHERE p.order_ref = ANY(${ids}) ORDER BY p.order_ref`.execute(stack.paymentDb.db);
  expect(payments.rows).toEqual([...ids].sort().map((id) => ({ order_ref: id, status: 'captured', captures: '1' })));
  const reservations = await sql<{ order_reference: string; status: string }>`
    SELECT order_reference, status FROM reservations WHERE order_reference = ANY(${ids}) ORDER BY order_reference`.execute(stack.productDb.db);
  expect(reservations.rows).toEqual([...ids].sort().map((id) => ({ order_reference: id, status: 'committed' })));
}

describe('recovery: the queue unreachable or lost, the order server killed mid-checkout', () => {
  it('writes orders while Redis is down and the sweeper runs them once it is back', async () => {
    await redis.kill();
    const results = await Promise.all(Array.from({ length: 5 }, () => place('pm_card_visa', 1_500)));
    expect(results.map((r) => [r.order.status, r.done])).toEqual(results.map(() => ['pending', false]));
    const ids = results.map((r) => r.order.id);
    const sagas = await sql<{ step: string; attempts: number }>`SELECT step, attempts FROM checkout_sagas WHERE order_id = ANY(${ids})`.execute(
      stack.orderDb.db,
    );
    expect(sagas.rows).toEqual(ids.map(() => ({ step: 'check_eligibility', attempts: 0 })));

    await redis.start();
    const finished = await waitUntilFinished(ids, 60_000);
    expect(finished.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
    await expectEachCheckoutDoneOnce(ids);
  }, 120_000);

  it('loses every queued job in a Redis restart mid-run and still finishes each checkout exactly once', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => place('pm_card_slow', 0)));
    const ids = results.map((r) => r.order.id);
    await new Promise((resolve) => setTimeout(resolve, 800));
    await redis.kill();
    const unfinished = await sql<{ n: string }>`
      SELECT count(*) AS n FROM checkout_sagas WHERE order_id = ANY(${ids}) AND status = 'running'`.execute(stack.orderDb.db);
    expect(Number(unfinished.rows[0]?.n)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.start();
    const finished = await waitUntilFinished(ids, 90_000);
    expect(finished.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
    await expectEachCheckoutDoneOnce(ids);
  }, 120_000);

  it('resumes every saga from its persisted step after the order server is killed mid-checkout', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => place('pm_card_slow', 0)));
    const ids = results.map((r) => r.order.id);
    // Kill once some checkouts are past authorization and none has finished.
    for (let i = 0; i < 100; i++) {
      const rows = await sql<{ n: string }>`
        SELECT count(*) AS n FROM checkout_sagas WHERE order_id = ANY(${ids}) AND 'authorize_payment' = ANY(completed_steps)`.execute(stack.orderDb.db);
      if (Number(rows.rows[0]?.n) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await stack.order.kill();
    const atKill = await sql<{ status: string; steps: number }>`
      SELECT status, cardinality(completed_steps) AS steps FROM checkout_sagas WHERE order_id = ANY(${ids})`.execute(stack.orderDb.db);
    expect(atKill.rows.some((row) => row.status === 'running')).toBe(true);
    await stack.order.restart();
    // The dead worker's job locks lapse (SAGA_LOCK_MS) and BullMQ's stalled check hands the jobs to the new worker.
    const finished = await waitUntilFinished(ids, 100_000);
    expect(finished.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
    for (const saga of finished) {
      expect(saga.completed_steps).toEqual([
        'check_eligibility',
        'reserve_inventory',
        'authorize_payment',
        'confirm_order',
        'capture_payment',
        'commit_inventory',
      ]);
    }
    await expectEachCheckoutDoneOnce(ids);
    const stock = await sql<{ on_hand: number; reserved: number }>`SELECT on_hand, reserved FROM inventory_levels WHERE sku = 'REC-001'`.execute(
      stack.productDb.db,
    );
    expect(stock.rows).toEqual([{ on_hand: 1000 - 25, reserved: 0 }]);
  }, 150_000);
});
