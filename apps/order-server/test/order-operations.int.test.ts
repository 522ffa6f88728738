import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPlace } from '@mcpfed/contract-order';
import type { OrderEvent } from '@mcpfed/contract-order';
import { sql } from '@mcpfed/db';
import { callTool, expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { ALL_TEST_SCOPES, startFederationStack, placedOrder } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';
import { moneyRows, onHand, pollUntil } from './money-rows.ts';
import type { MoneyRows } from './money-rows.ts';

// order_cancel / order_refund / order_fulfill against the real customer, product and payment servers, driven by
// the MCP SDK client: who may give money back, one winner per race with the exact rows in all three databases, and
// a local write that fails (or a process that dies) after the money moved.

type OrderOut = { id: string; version: number; status: string; refunded_amount: number; payment: { amount_captured: number } };

let stack: FederationStack;
let customerId: string;
let staff: Client;
let clerk: Client;

beforeAll(async () => {
  stack = await startFederationStack({
    label: 'operations',
    orderEnv: { ORDER_OPERATION_LEASE_MS: '5000', SWEEPER_INTERVAL_MS: '500' },
    paymentEnv: { PAYMENT_SANDBOX_SLOW_MS: '1500' },
  });
  customerId = await stack.createCustomer();
  await stack.createProduct('OPS-A', 1000, 1000);
  await stack.createProduct('OPS-B', 500, 1000);
  staff = await stack.mcp('order', ALL_TEST_SCOPES);
  clerk = await stack.mcp('order', ['order:read', 'order:write', 'customer:any']);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** A confirmed order of 3 x OPS-A (1000) and 1 x OPS-B (500): 3500 EUR minor units, captured unless on_fulfillment. */
async function confirmedOrder(captureMode: 'immediate' | 'on_fulfillment' = 'immediate', paymentMethod = 'pm_card_visa'): Promise<OrderOut> {
  const placed = await stack
    .client('order')
    .call(orderPlace, {
      customer_id: customerId,
      lines: [
        { sku: 'OPS-A', quantity: 3 },
        { sku: 'OPS-B', quantity: 1 },
      ],
      payment_method: paymentMethod,
      capture_mode: captureMode,
      idempotency_key: idempotencyKey(),
      wait_ms: 25_000,
    })
    .then(placedOrder);
  expect(placed.order.status).toBe('confirmed');
  return placed.order as OrderOut;
}

const call = (client: Client, tool: string, args: Record<string, unknown>) => callTool(client, tool, args);
const codeOf = (result: Awaited<ReturnType<typeof callTool>>) => (result.isError ? (result.structuredContent?.['error'] as { code: string }).code : 'ok');

/** The rows after one winning partial refund of 1 x OPS-A from a captured 3500 order at version `version`. */
function afterOneLineRefund(version: number): Partial<MoneyRows> {
  return {
    order: { status: 'partially_refunded', version: version + 2, amount_captured: '3500', refunded_amount: '1000', busy: false },
    lines: [
      { sku: 'OPS-A', refunded_quantity: 1 },
      { sku: 'OPS-B', refunded_quantity: 0 },
    ],
    operations: [{ tool: 'order_refund', status: 'succeeded' }],
    events: ['order.placed', 'order.confirmed', 'order.refunded'],
    payments: [
      {
        status: 'partially_refunded',
        void_reason: null,
        amount_authorized: '3500',
        amount_captured: '3500',
        amount_refunded: '1000',
        amount_refund_pending: '0',
      },
    ],
    refunds: [{ amount: '1000', status: 'succeeded', reason: 'requested_by_customer' }],
    ledger: ['authorization', 'capture', 'refund'],
    returned: [{ sku: 'OPS-A', location: 'BER-1', delta_on_hand: 1 }],
  };
}

describe('order_cancel gives money back only with payment:refund', () => {
  it('refuses an order:write-only caller the cancel of a captured order with FORBIDDEN, and nothing moves; an unpaid one it may cancel', async () => {
    const paid = await confirmedOrder();
    const before = await moneyRows(stack, paid.id);
    const stockBefore = await onHand(stack, 'OPS-A');

    const preview = await expectToolOk<{ payment_action: string; refund_amount: number; dry_run: boolean }>(clerk, 'order_cancel', {
      order_id: paid.id,
      expected_version: paid.version,
      idempotency_key: idempotencyKey(),
      dry_run: true,
    });
    expect([preview.dry_run, preview.payment_action, preview.refund_amount]).toEqual([true, 'refund', 3500]);

    const refused = await expectToolError(clerk, 'order_cancel', { order_id: paid.id, expected_version: paid.version, idempotency_key: idempotencyKey() });
    expect(refused).toEqual({
      code: 'FORBIDDEN',
      message: `Cancelling order ${paid.id} refunds 3500 EUR (minor units) because its payment was captured, and giving money back needs the scope payment:refund as well as order:write. Nothing was done. Ask for a token with payment:refund (or have someone who holds it cancel); do not retry as is.`,
      retryable: false,
      details: { order_id: paid.id, payment_action: 'refund', required: ['order:write', 'payment:refund'], missing: ['payment:refund'] },
    });
    expect(await moneyRows(stack, paid.id)).toEqual(before);
    expect(before.payments).toEqual([
      { status: 'captured', void_reason: null, amount_authorized: '3500', amount_captured: '3500', amount_refunded: '0', amount_refund_pending: '0' },
    ]);
    expect(before.operations).toEqual([]);
    expect(await onHand(stack, 'OPS-A')).toBe(stockBefore);

    const unpaid = await confirmedOrder('on_fulfillment');
    const voided = await expectToolOk<{ payment_action: string; order: OrderOut }>(clerk, 'order_cancel', {
      order_id: unpaid.id,
      expected_version: unpaid.version,
      idempotency_key: idempotencyKey(),
    });
    expect([voided.payment_action, voided.order.status]).toEqual(['void', 'cancelled']);
    expect((await moneyRows(stack, unpaid.id)).payments.map((p) => [p.status, p.void_reason])).toEqual([['voided', 'requested']]);
  });
});

describe('one operation per order at a time: the loser gets CONFLICT and moves nothing', () => {
  it('8 concurrent partial refunds of one order: one refunds and restocks once, 7 get CONFLICT', async () => {
    const order = await confirmedOrder();
    const stockBefore = await onHand(stack, 'OPS-A');
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(staff, 'order_refund', {
          order_id: order.id,
          expected_version: order.version,
          lines: [{ sku: 'OPS-A', quantity: 1 }],
          idempotency_key: idempotencyKey(),
        }),
      ),
    );
    expect(results.map(codeOf).sort()).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'ok']);
    expect(await moneyRows(stack, order.id)).toEqual(afterOneLineRefund(order.version));
    expect(await onHand(stack, 'OPS-A')).toBe(stockBefore + 1);
  });

  it('order_cancel racing order_refund: exactly one wins, with its exact rows', async () => {
    const order = await confirmedOrder();
    const stockBefore = { a: await onHand(stack, 'OPS-A'), b: await onHand(stack, 'OPS-B') };
    const [cancel, refund] = await Promise.all([
      call(staff, 'order_cancel', { order_id: order.id, expected_version: order.version, idempotency_key: idempotencyKey() }),
      call(staff, 'order_refund', {
        order_id: order.id,
        expected_version: order.version,
        lines: [{ sku: 'OPS-A', quantity: 1 }],
        idempotency_key: idempotencyKey(),
      }),
    ]);
    const outcome = [codeOf(cancel), codeOf(refund)];
    expect([
      ['ok', 'CONFLICT'],
      ['CONFLICT', 'ok'],
    ]).toContainEqual(outcome);
    const rows = await moneyRows(stack, order.id);
    if (outcome[0] === 'ok') {
      expect(rows).toEqual({
        order: { status: 'cancelled', version: order.version + 2, amount_captured: '3500', refunded_amount: '3500', busy: false },
        lines: [
          { sku: 'OPS-A', refunded_quantity: 0 },
          { sku: 'OPS-B', refunded_quantity: 0 },
        ],
        operations: [{ tool: 'order_cancel', status: 'succeeded' }],
        events: ['order.placed', 'order.confirmed', 'order.cancelled'],
        payments: [
          { status: 'refunded', void_reason: null, amount_authorized: '3500', amount_captured: '3500', amount_refunded: '3500', amount_refund_pending: '0' },
        ],
        refunds: [{ amount: '3500', status: 'succeeded', reason: 'order_canceled' }],
        ledger: ['authorization', 'capture', 'refund'],
        returned: [
          { sku: 'OPS-A', location: 'BER-1', delta_on_hand: 3 },
          { sku: 'OPS-B', location: 'BER-1', delta_on_hand: 1 },
        ],
      });
      expect([await onHand(stack, 'OPS-A'), await onHand(stack, 'OPS-B')]).toEqual([stockBefore.a + 3, stockBefore.b + 1]);
    } else {
      expect(rows).toEqual(afterOneLineRefund(order.version));
      expect([await onHand(stack, 'OPS-A'), await onHand(stack, 'OPS-B')]).toEqual([stockBefore.a + 1, stockBefore.b]);
    }
  });

  it('order_fulfill racing order_cancel on an uncaptured order: exactly one wins, with its exact rows', async () => {
    const order = await confirmedOrder('on_fulfillment');
    const stockBefore = { a: await onHand(stack, 'OPS-A'), b: await onHand(stack, 'OPS-B') };
    const [fulfil, cancel] = await Promise.all([
      call(staff, 'order_fulfill', {
        order_id: order.id,
        expected_version: order.version,
        carrier: 'DHL',
        tracking_number: 'RACE-1',
        idempotency_key: idempotencyKey(),
      }),
      call(staff, 'order_cancel', { order_id: order.id, expected_version: order.version, idempotency_key: idempotencyKey() }),
    ]);
    const outcome = [codeOf(fulfil), codeOf(cancel)];
    expect([
      ['ok', 'CONFLICT'],
      ['CONFLICT', 'ok'],
    ]).toContainEqual(outcome);
    const rows = await moneyRows(stack, order.id);
    const lines = [
      { sku: 'OPS-A', refunded_quantity: 0 },
      { sku: 'OPS-B', refunded_quantity: 0 },
    ];
    if (outcome[0] === 'ok') {
      expect(rows).toEqual({
        order: { status: 'fulfilled', version: order.version + 2, amount_captured: '3500', refunded_amount: '0', busy: false },
        lines,
        operations: [{ tool: 'order_fulfill', status: 'succeeded' }],
        events: ['order.placed', 'order.confirmed', 'order.fulfilled'],
        payments: [
          { status: 'captured', void_reason: null, amount_authorized: '3500', amount_captured: '3500', amount_refunded: '0', amount_refund_pending: '0' },
        ],
        refunds: [],
        ledger: ['authorization', 'capture'],
        returned: [],
      });
      expect([await onHand(stack, 'OPS-A'), await onHand(stack, 'OPS-B')]).toEqual([stockBefore.a, stockBefore.b]);
    } else {
      expect(rows).toEqual({
        order: { status: 'cancelled', version: order.version + 2, amount_captured: '0', refunded_amount: '0', busy: false },
        lines,
        operations: [{ tool: 'order_cancel', status: 'succeeded' }],
        events: ['order.placed', 'order.confirmed', 'order.cancelled'],
        payments: [
          { status: 'voided', void_reason: 'requested', amount_authorized: '3500', amount_captured: '0', amount_refunded: '0', amount_refund_pending: '0' },
        ],
        refunds: [],
        ledger: ['authorization', 'void'],
        returned: [
          { sku: 'OPS-A', location: 'BER-1', delta_on_hand: 3 },
          { sku: 'OPS-B', location: 'BER-1', delta_on_hand: 1 },
        ],
      });
      expect([await onHand(stack, 'OPS-A'), await onHand(stack, 'OPS-B')]).toEqual([stockBefore.a + 3, stockBefore.b + 1]);
    }
  });
});

describe('a local failure after the money moved is finished, never repeated', () => {
  it('refuses a NUL in the carrier with VALIDATION_FAILED before anything is captured', async () => {
    const order = await confirmedOrder('on_fulfillment');
    const before = await moneyRows(stack, order.id);
    const refused = await expectToolError(staff, 'order_fulfill', {
      order_id: order.id,
      expected_version: order.version,
      carrier: 'DHL\u0000',
      tracking_number: 'NUL-1',
      idempotency_key: idempotencyKey(),
    });
    expect([refused.code, (refused.details?.['issues'] as Array<{ path: string }>)[0]?.path]).toEqual(['VALIDATION_FAILED', 'carrier']);
    expect(await moneyRows(stack, order.id)).toEqual(before);
    expect(before.payments.map((p) => [p.status, p.amount_captured])).toEqual([['authorized', '0']]);
  });

  it('a fulfil whose order update fails after the capture answers TIMEOUT; the order stays claimed; the same key finishes it with one capture', async () => {
    const order = await confirmedOrder('on_fulfillment');
    // The order database refuses the order's move to fulfilled while the flag row exists (a failing disk, a
    // constraint, a killed connection: any local failure after the remote capture).
    await sql`CREATE TABLE IF NOT EXISTS test_fail_fulfil (order_id text PRIMARY KEY)`.execute(stack.orderDb.db);
    await sql`
      CREATE OR REPLACE FUNCTION test_fail_fulfil() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'fulfilled' AND EXISTS (SELECT 1 FROM test_fail_fulfil WHERE order_id = NEW.id) THEN
          RAISE EXCEPTION 'injected failure of the order update';
        END IF;
        RETURN NEW;
      END $$`.execute(stack.orderDb.db);
    await sql`CREATE OR REPLACE TRIGGER test_fail_fulfil BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION test_fail_fulfil()`.execute(stack.orderDb.db);
    await sql`INSERT INTO test_fail_fulfil (order_id) VALUES (${order.id})`.execute(stack.orderDb.db);

    const key = idempotencyKey();
    const args = { order_id: order.id, expected_version: order.version, carrier: 'DHL', tracking_number: 'JD-FAIL-1', idempotency_key: key };
    const failed = await expectToolError(staff, 'order_fulfill', args);
    expect([failed.code, failed.retryable, failed.details]).toEqual(['TIMEOUT', true, { outcome: 'recording_pending', order_id: order.id }]);
    const pending = await moneyRows(stack, order.id);
    expect([pending.order.status, pending.order.amount_captured, pending.order.busy, pending.order.version]).toEqual([
      'confirmed',
      '0',
      true,
      order.version + 1,
    ]);
    expect(pending.operations).toEqual([{ tool: 'order_fulfill', status: 'pending' }]);
    expect([pending.payments.map((p) => [p.status, p.amount_captured]), pending.ledger]).toEqual([[['captured', '3500']], ['authorization', 'capture']]);

    // Anyone else is told the order is busy; nothing moves (no refund of the capture).
    const other = await expectToolError(staff, 'order_cancel', { order_id: order.id, expected_version: order.version + 1, idempotency_key: idempotencyKey() });
    expect([other.code, other.retryable, other.details]).toEqual([
      'CONFLICT',
      true,
      { order_id: order.id, busy_with: 'order_fulfill', current_version: order.version + 1 },
    ]);
    // The same key again while the failure lasts: the capture replays, still one capture.
    expect((await expectToolError(staff, 'order_fulfill', args)).code).toBe('TIMEOUT');

    await sql`DELETE FROM test_fail_fulfil WHERE order_id = ${order.id}`.execute(stack.orderDb.db);
    const done = await expectToolOk<{ order: OrderOut; captured_amount: number; replayed: boolean }>(staff, 'order_fulfill', args);
    expect([done.order.status, done.order.payment.amount_captured, done.captured_amount, done.replayed]).toEqual(['fulfilled', 3500, 3500, false]);
    expect(await expectToolOk<{ replayed: boolean }>(staff, 'order_fulfill', args)).toEqual({ ...done, replayed: true });
    const rows = await moneyRows(stack, order.id);
    expect(rows).toMatchObject({
      order: { status: 'fulfilled', version: order.version + 2, amount_captured: '3500', refunded_amount: '0', busy: false },
      operations: [{ tool: 'order_fulfill', status: 'succeeded' }],
      events: ['order.placed', 'order.confirmed', 'order.fulfilled'],
      payments: [{ status: 'captured', amount_captured: '3500', amount_refunded: '0' }],
      refunds: [],
      ledger: ['authorization', 'capture'],
    });
    const captures = await sql<{ n: string }>`
      SELECT count(*) AS n FROM payment_operations o JOIN payments p ON p.id = o.payment_id WHERE p.order_ref = ${order.id} AND o.kind = 'capture'`.execute(
      stack.paymentDb.db,
    );
    expect(captures.rows[0]?.n).toBe('1');
  });

  it('a fulfil whose order server dies during the capture is finished by the sweeper after the restart; its key then replays it', async () => {
    const order = await confirmedOrder('on_fulfillment', 'pm_card_slow');
    const key = idempotencyKey();
    const args = { order_id: order.id, expected_version: order.version, carrier: 'UPS', tracking_number: 'KILL-1', idempotency_key: key };
    const inFlight = call(staff, 'order_fulfill', args).catch((error: unknown) => error);
    const claimed = await pollUntil(
      async () => (await moneyRows(stack, order.id)).operations,
      (ops) => ops.length === 1,
      20_000,
      20,
    );
    expect(claimed).toEqual([{ tool: 'order_fulfill', status: 'pending' }]);
    await stack.order.kill();
    await inFlight;
    await stack.order.restart();
    const finished = await pollUntil(
      () => moneyRows(stack, order.id),
      (rows) => rows.order.status === 'fulfilled',
      30_000,
    );
    expect(finished).toMatchObject({
      order: { status: 'fulfilled', version: order.version + 2, amount_captured: '3500', busy: false },
      operations: [{ tool: 'order_fulfill', status: 'succeeded' }],
      payments: [{ status: 'captured', amount_captured: '3500' }],
      ledger: ['authorization', 'capture'],
    });
    const fresh = await stack.mcp('order', ALL_TEST_SCOPES);
    const replay = await expectToolOk<{ order: OrderOut; captured_amount: number; replayed: boolean }>(fresh, 'order_fulfill', args);
    expect([replay.order.status, replay.captured_amount, replay.replayed]).toEqual(['fulfilled', 3500, true]);
    const events = await sql<{
      snapshot: OrderEvent['order'];
    }>`SELECT snapshot FROM order_events WHERE order_id = ${order.id} AND type = 'order.fulfilled'`.execute(stack.orderDb.db);
    expect(events.rows.map((e) => e.snapshot.order_version)).toEqual([order.version + 2]);
    // A kill, a restart (up to a minute on a loaded machine) and the sweeper's pass do not fit the default 30 s.
  }, 120_000);
});
