import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@mcpfed/db';
import { expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { ALL_TEST_SCOPES, startFederationStack } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';
import { startFaultProxy } from './fault-proxy.ts';
import type { FaultProxy } from './fault-proxy.ts';

// A checkout whose payment_authorize acted at the provider but whose answer never came back on the saga's last
// attempt (pm_card_timeout answers TIMEOUT after authorizing; the network then loses the retries): the checkout
// must fail without leaving the card held, now or after the payment server's reconciler has run.

const LEASE_MS = 1000;
const RECONCILE_MS = 500;

let stack: FederationStack;
let proxy: FaultProxy;
let customerId: string;

beforeAll(async () => {
  proxy = await startFaultProxy();
  stack = await startFederationStack({
    label: 'orphan',
    // Every checkout runs once: a transient failure compensates at once (the last attempt).
    orderEnv: { SAGA_ATTEMPTS: '1', UPSTREAM_BREAKER_FAILURES: '1000' },
    paymentEnv: { PAYMENT_OPERATION_LEASE_MS: String(LEASE_MS), PAYMENT_RECONCILE_INTERVAL_MS: String(RECONCILE_MS) },
    paymentUrlForOrder: proxy.url,
  });
  proxy.target = stack.payment.url;
  customerId = await stack.createCustomer();
  await stack.createProduct('ORP-001', 2500, 100);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await proxy?.close();
});

describe('an authorization whose answer was lost on the last attempt', () => {
  it('is voided by its key: the order fails, the payment and the provider charge end voided, and the reconciler leaves them so', async () => {
    // The first authorize request of a key reaches the payment server (which authorizes, then answers TIMEOUT);
    // the federation client's retries of it are lost on the way.
    const seen = new Set<string>();
    proxy.refuse = (call) => {
      if (call.tool !== 'payment_authorize') return false;
      const key = String(call.arguments['idempotency_key']);
      if (!seen.has(key)) {
        seen.add(key);
        return false;
      }
      return true;
    };
    const client = await stack.mcp('order', ALL_TEST_SCOPES);
    const placed = await expectToolOk<{ order: { id: string; status: string; failure_reason: string | null } }>(client, 'order_place', {
      customer_id: customerId,
      lines: [{ sku: 'ORP-001', quantity: 2 }],
      payment_method: 'pm_card_timeout',
      idempotency_key: idempotencyKey(),
      wait_ms: 25_000,
    });
    const orderId = placed.order.id;
    expect([placed.order.status, placed.order.failure_reason]).toEqual(['failed', 'upstream_unavailable']);
    // Wait, by the database clock, until the reconciler has had its turn: the authorize operation became
    // unattended (its lease lapsed) and three sweeps have passed since.
    const operation = await sql<{ created_at: Date }>`
      SELECT created_at FROM payment_operations WHERE kind = 'authorize' AND idempotency_key = ${`checkout:${orderId}:authorize_payment`}`.execute(
      stack.paymentDb.db,
    );
    expect(operation.rows).toHaveLength(1);
    const due = new Date((operation.rows[0]?.created_at as Date).getTime() + LEASE_MS + 3 * RECONCILE_MS);
    for (;;) {
      const now = (await sql<{ now: Date }>`SELECT now() AS now`.execute(stack.paymentDb.db)).rows[0]?.now as Date;
      if (now >= due) break;
      await new Promise((resolve) => setTimeout(resolve, due.getTime() - now.getTime()));
    }

    const payments = await sql<{ status: string; void_reason: string | null; amount_authorized: string; amount_captured: string }>`
      SELECT status, void_reason, amount_authorized, amount_captured FROM payments WHERE order_ref = ${orderId}`.execute(stack.paymentDb.db);
    expect(payments.rows).toEqual([{ status: 'voided', void_reason: 'requested', amount_authorized: '5000', amount_captured: '0' }]);
    const ledger = await sql<{ kind: string }>`
      SELECT t.kind FROM ledger_transactions t JOIN payments p ON p.id = t.payment_id WHERE p.order_ref = ${orderId} ORDER BY t.posted_at, t.kind`.execute(
      stack.paymentDb.db,
    );
    expect(ledger.rows.map((r) => r.kind)).toEqual(['authorization', 'void']);
    const charges = await sql<{ status: string }>`SELECT status FROM sandbox.charges WHERE metadata ->> 'order_ref' = ${orderId}`.execute(stack.paymentDb.db);
    expect(charges.rows).toEqual([{ status: 'voided' }]);
    const pending = await sql<{ n: string }>`SELECT count(*) AS n FROM payment_operations WHERE status = 'pending'`.execute(stack.paymentDb.db);
    expect(pending.rows[0]?.n).toBe('0');
    expect(proxy.log.filter((c) => c.arguments['idempotency_key'] === `checkout:${orderId}:authorize_payment`).map((c) => [c.tool, c.refused])).toEqual([
      ['payment_authorize', false],
      ['payment_authorize', true],
      ['payment_authorize', true],
    ]);
    // Compensation voids by the authorization's key (the void of pm_card_timeout times out once too, then replays).
    const voids = new Set(proxy.log.filter((c) => c.tool === 'payment_void').map((c) => JSON.stringify(c.arguments)));
    expect([...voids]).toEqual([
      JSON.stringify({ authorization_key: `checkout:${orderId}:authorize_payment`, idempotency_key: `checkout:${orderId}:void_payment` }),
    ]);

    const reservation = await sql<{ status: string }>`SELECT status FROM reservations WHERE order_reference = ${orderId}`.execute(stack.productDb.db);
    expect(reservation.rows).toEqual([{ status: 'released' }]);
  }, 60_000);

  it('closes the key when nothing was authorized: a late authorize with it is refused and holds nothing', async () => {
    const key = `checkout:${idempotencyKey()}:authorize_payment`;
    const payment = await stack.mcp('payment', ALL_TEST_SCOPES);
    const voidByKey = await expectToolError(payment, 'payment_void', { authorization_key: key, idempotency_key: idempotencyKey() });
    expect([voidByKey.code, voidByKey.details]).toEqual(['PRECONDITION_FAILED', { authorization: 'none', authorization_key: key }]);
    const late = await expectToolError(payment, 'payment_authorize', {
      order_ref: 'ord_late',
      customer_id: customerId,
      amount: 100,
      currency: 'EUR',
      payment_method: 'pm_card_visa',
      idempotency_key: key,
    });
    expect([late.code, late.details]).toEqual(['PRECONDITION_FAILED', { authorization: 'none', authorization_key: key, replayed: true }]);
    const held = await sql<{ n: string }>`SELECT count(*) AS n FROM payments WHERE order_ref = 'ord_late'`.execute(stack.paymentDb.db);
    expect(held.rows[0]?.n).toBe('0');
  });
});
