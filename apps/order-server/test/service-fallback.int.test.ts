/**
 * The fallback for a provider without token exchange (`ORDER_UPSTREAM_AUTH=service`), against the real servers: the
 * checkout completes, but the upstreams see the order server as the principal — their audit and limits count against
 * it, not the customer-user — and no caller token is kept. docs/security.md (Delegation) names this trade-off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@mcpfed/db';
import { expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { ALL_TEST_SCOPES, DEV_PROFILE, startFederationStack } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';

let stack: FederationStack;

beforeAll(async () => {
  stack = await startFederationStack({
    label: 'svcauth',
    orderEnv: { ORDER_UPSTREAM_AUTH: 'service' },
    paymentEnv: { PAYMENT_REFUND_CONFIRM_THRESHOLD_MINOR: '1000' },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('ORDER_UPSTREAM_AUTH=service', () => {
  it("places a bound caller's order with the order server's own token: the upstreams audit the order server, not the caller", async () => {
    const customerId = await stack.createCustomer();
    await stack.createProduct('SVC-001', 500, 5);
    const staff = await stack.mcp('payment', ALL_TEST_SCOPES, 'staff-1');
    const card = (await expectToolOk<{ payment_method: { id: string } }>(staff, 'payment_method_attach', { customer_id: customerId, token: 'pm_card_visa' }))
      .payment_method.id;
    const shopper = await stack.mcp('order', ['order:read', 'order:write'], 'svc-shopper', customerId);
    const placed = await expectToolOk<{ order: { id: string; status: string } }>(shopper, 'order_place', {
      customer_id: customerId,
      lines: [{ sku: 'SVC-001', quantity: 1 }],
      payment_method: card,
      idempotency_key: idempotencyKey(),
      wait_ms: 20_000,
    });
    expect(placed.order.status).toBe('confirmed');
    const payment = await sql<{ principal_id: string; actors: string[] | null; tool: string }>`
      SELECT principal_id, actors, tool FROM mcp_audit_log WHERE tool IN ('payment_authorize', 'payment_capture') ORDER BY id`.execute(stack.paymentDb.db);
    expect(payment.rows).toEqual([
      { principal_id: DEV_PROFILE.orderClientId, actors: null, tool: 'payment_authorize' },
      { principal_id: DEV_PROFILE.orderClientId, actors: null, tool: 'payment_capture' },
    ]);
    const shopperRows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM mcp_audit_log WHERE principal_id = 'svc-shopper'`.execute(stack.paymentDb.db);
    expect(shopperRows.rows).toEqual([{ n: 0 }]);
    // No caller token is left at rest.
    expect(await stack.orderDb.db.selectFrom('checkout_caller_tokens').selectAll().execute()).toEqual([]);
  }, 60_000);

  it("refuses a token caller's refund above the payment server's approval threshold (no person could be asked), and makes one below it", async () => {
    const customerId = await stack.createCustomer();
    await stack.createProduct('SVC-002', 500, 5);
    const staff = await stack.mcp('payment', ALL_TEST_SCOPES, 'staff-1');
    const card = (await expectToolOk<{ payment_method: { id: string } }>(staff, 'payment_method_attach', { customer_id: customerId, token: 'pm_card_visa' }))
      .payment_method.id;
    const shopper = await stack.mcp('order', ['order:read', 'order:write', 'payment:refund'], 'svc-refunder', customerId);
    const placed = await expectToolOk<{ order: { id: string; status: string; version: number } }>(shopper, 'order_place', {
      customer_id: customerId,
      lines: [{ sku: 'SVC-002', quantity: 3 }],
      payment_method: card,
      idempotency_key: idempotencyKey(),
      wait_ms: 20_000,
    });
    expect(placed.order.status).toBe('confirmed');
    const refunds = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM refunds`.execute(stack.paymentDb.db)).rows[0]?.n;
    const before = await refunds();
    const error = await expectToolError(shopper, 'order_refund', {
      order_id: placed.order.id,
      expected_version: placed.order.version,
      idempotency_key: idempotencyKey(),
    });
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { approval: 'unavailable', threshold: 1000 } });
    expect(await refunds()).toBe(before);
    const cancel = await expectToolError(shopper, 'order_cancel', {
      order_id: placed.order.id,
      expected_version: placed.order.version,
      idempotency_key: idempotencyKey(),
    });
    expect(cancel).toMatchObject({ code: 'FORBIDDEN', details: { approval: 'unavailable' } });
    expect(await refunds()).toBe(before);
    const current = await expectToolOk<{ order: { status: string; version: number } }>(shopper, 'order_get', { order_id: placed.order.id });
    expect(current.order).toMatchObject({ status: 'confirmed', version: placed.order.version });
    const partial = await expectToolOk<{ refund_amount: number; payment_refund_id: string | null }>(shopper, 'order_refund', {
      order_id: placed.order.id,
      expected_version: placed.order.version,
      lines: [{ sku: 'SVC-002', quantity: 1 }],
      idempotency_key: idempotencyKey(),
    });
    expect(partial.refund_amount).toBe(500);
    expect(partial.payment_refund_id).not.toBeNull();
    expect(await refunds()).toBe((before ?? 0) + 1);
  }, 60_000);
});
