/**
 * The fallback for a provider without token exchange (`ORDER_UPSTREAM_AUTH=service`), against the real servers: the
 * checkout completes, but the upstreams see the order server as the principal — their audit and limits count against
 * it, not the customer-user — and no caller token is kept. docs/security.md (Delegation) names this trade-off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@mcpfed/db';
import { expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { ALL_TEST_SCOPES, DEV_PROFILE, startFederationStack } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';

let stack: FederationStack;

beforeAll(async () => {
  stack = await startFederationStack({ label: 'svcauth', orderEnv: { ORDER_UPSTREAM_AUTH: 'service' } });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('ORDER_UPSTREAM_AUTH=service', () => {
  it('places a bound caller\'s order with the order server\'s own token: the upstreams audit the order server, not the caller', async () => {
    const customerId = await stack.createCustomer();
    await stack.createProduct('SVC-001', 500, 5);
    const staff = await stack.mcp('payment', ALL_TEST_SCOPES, 'staff-1');
    const card = (await expectToolOk<{ payment_method: { id: string } }>(staff, 'payment_method_attach', { customer_id: customerId, token: 'pm_card_visa' })).payment_method.id;
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
});
