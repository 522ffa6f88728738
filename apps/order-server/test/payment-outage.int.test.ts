import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPlace } from '@mcpfed/contract-order';
import { sql } from '@mcpfed/db';
import { idempotencyKey } from '@mcpfed/testing';
import { startFederationStack, placedOrder } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';

let stack: FederationStack;
let customerId: string;

beforeAll(async () => {
  stack = await startFederationStack({
    label: 'outage',
    // A retry budget of 6 runs from 400 ms (about 6-12 s), a breaker that probes again after 300 ms, a fast sweeper.
    orderEnv: {
      SAGA_ATTEMPTS: '6',
      SAGA_BACKOFF_MS: '400',
      UPSTREAM_BREAKER_HALF_OPEN_MS: '300',
      SWEEPER_INTERVAL_MS: '500',
      SAGA_STUCK_AFTER_MS: '1500',
      UPSTREAM_TIMEOUT_MS: '4000',
    },
    // pm_card_slow makes every provider call of the payment take 1.5 s: time to stop the server during a capture.
    // The payment server's sweep finishes the capture that was cut off, so a void can follow (default every 30 s).
    paymentEnv: { PAYMENT_SANDBOX_SLOW_MS: '1500', PAYMENT_RECONCILE_INTERVAL_MS: '1000' },
  });
  customerId = await stack.createCustomer();
  await stack.createProduct('OUT-001', 2000, 10);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

async function placePending(): Promise<string> {
  const result = await stack
    .client('order')
    .call(orderPlace, {
      customer_id: customerId,
      lines: [{ sku: 'OUT-001', quantity: 1 }],
      payment_method: 'pm_card_slow',
      idempotency_key: idempotencyKey(),
      wait_ms: 0,
    } satisfies z.input<typeof orderPlace.input>)
    .then(placedOrder);
  expect(result.done).toBe(false);
  return result.order.id;
}

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

const sagaOf = async (orderId: string) =>
  (
    await sql<{ status: string; step: string; attempts: number }>`SELECT status, step, attempts FROM checkout_sagas WHERE order_id = ${orderId}`.execute(
      stack.orderDb.db,
    )
  ).rows[0];
const orderOf = async (orderId: string) =>
  (
    await sql<{ status: string; failure_reason: string | null; amount_captured: string }>`
    SELECT status, failure_reason, amount_captured FROM orders WHERE id = ${orderId}`.execute(stack.orderDb.db)
  ).rows[0];
const paymentsOf = async (orderId: string) =>
  (
    await sql<{ status: string; amount_captured: string; amount_refunded: string; captures: string }>`
      SELECT p.status, p.amount_captured, p.amount_refunded,
             (SELECT count(*) FROM ledger_transactions t WHERE t.payment_id = p.id AND t.kind = 'capture') AS captures
        FROM payments p WHERE p.order_ref = ${orderId}`.execute(stack.paymentDb.db)
  ).rows;
const reservationOf = async (orderId: string) =>
  (await sql<{ status: string }>`SELECT status FROM reservations WHERE order_reference = ${orderId}`.execute(stack.productDb.db)).rows[0]?.status;

/** Waits until the saga authorized and confirmed, lets the (slow) capture start, then kills the payment server. */
async function killPaymentDuringCapture(orderId: string): Promise<void> {
  await waitFor(
    'the capture step',
    () => sagaOf(orderId),
    (saga) => saga?.step === 'capture_payment',
    30_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  await stack.payment.kill();
}

describe('the payment server stops between authorize and capture', () => {
  it('retries with backoff and completes once it is back: captured exactly once, stock committed', async () => {
    const orderId = await placePending();
    await killPaymentDuringCapture(orderId);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await orderOf(orderId))?.status).toBe('confirmed');
    await stack.payment.restart();

    const saga = await waitFor(
      'the saga to finish',
      () => sagaOf(orderId),
      (s) => s?.status === 'completed' || s?.status === 'failed',
    );
    expect(saga?.status).toBe('completed');
    expect(saga?.attempts).toBeGreaterThan(1);
    expect(await orderOf(orderId)).toEqual({ status: 'confirmed', failure_reason: null, amount_captured: '2000' });
    expect(await paymentsOf(orderId)).toEqual([{ status: 'captured', amount_captured: '2000', amount_refunded: '0', captures: '1' }]);
    expect(await reservationOf(orderId)).toBe('committed');
  }, 120_000);

  it('compensates cleanly when the retry budget runs out: stock released at once, the hold released once payment is back', async () => {
    const orderId = await placePending();
    await killPaymentDuringCapture(orderId);

    // The budget runs out while payment is down: the stock goes back, the saga stays compensating for the payment.
    await waitFor(
      'compensation to start',
      () => sagaOf(orderId),
      (s) => s?.status === 'compensating',
      60_000,
    );
    await waitFor(
      'the stock to be released',
      () => reservationOf(orderId),
      (status) => status === 'released',
      30_000,
    );
    expect((await orderOf(orderId))?.status).toBe('confirmed');

    await stack.payment.restart();
    const saga = await waitFor(
      'the saga to fail',
      () => sagaOf(orderId),
      (s) => s?.status === 'failed',
      60_000,
    );
    expect(saga?.status).toBe('failed');
    expect(await orderOf(orderId)).toMatchObject({ status: 'failed', failure_reason: 'upstream_unavailable' });
    const payments = await paymentsOf(orderId);
    expect(payments).toHaveLength(1);
    // Either the capture never happened (voided) or it had, and was refunded in full; never captured twice.
    const [payment] = payments;
    expect(['voided', 'refunded']).toContain(payment?.status);
    expect(Number(payment?.captures)).toBeLessThanOrEqual(1);
    expect(payment?.amount_refunded).toBe(payment?.amount_captured);
    const stock = await sql<{ on_hand: number; reserved: number }>`SELECT on_hand, reserved FROM inventory_levels WHERE sku = 'OUT-001'`.execute(
      stack.productDb.db,
    );
    expect(stock.rows).toEqual([{ on_hand: 9, reserved: 0 }]);
  }, 150_000);
});
