/**
 * The checkout end to end — four real server processes, the router, real PostgreSQL and Redis, and an oidc-provider
 * authorization server — once with the development identity conventions and once with a second, independently
 * configured provider (issuer under a realm path, its own key, other client ids, other resource identifiers): the
 * same code runs against any standard provider. Every server accepts only its own audience; every hop exchanges the
 * caller's token (RFC 8693).
 */
import type { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientCredentialsTokenSource } from '@mcpfed/auth';
import { orderGet, orderPlace } from '@mcpfed/contract-order';
import { AppError } from '@mcpfed/errors';
import { sql } from '@mcpfed/db';
import type { Kysely } from '@mcpfed/db';
import { expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { ALL_TEST_SCOPES, DEV_PROFILE, ORDER_ACTOR_SCOPES, SECOND_PROFILE, placedOrder, startFederationStack } from './federation-stack.ts';
import type { FederationStack, IdentityProfile, StackServer } from './federation-stack.ts';

let stack: FederationStack;
let customerId: string;

const place = (input: Record<string, unknown>) =>
  stack
    .client('order')
    .call(orderPlace, {
      customer_id: customerId,
      lines: [{ sku: 'CHK-001', quantity: 1 }],
      payment_method: 'pm_card_visa',
      idempotency_key: idempotencyKey(),
      wait_ms: 20_000,
      ...input,
    } as z.input<typeof orderPlace.input>)
    .then(placedOrder);

/**
 * What a careful agent does with a retryable refusal (a breaker open while a loaded upstream catches up): the same
 * call again, same idempotency key, after a pause. Any other error, or one that is still refused, fails the test.
 */
async function placeAsACarefulAgent(input: Record<string, unknown>): Promise<Awaited<ReturnType<typeof place>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await place(input);
    } catch (error) {
      if (!AppError.is(error) || !error.retryable || attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

/** An MCP SDK client of `url` sending `token` (closed by the caller). */
async function connect(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'delegation-test', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** The HTTP status a server answers a tools/call with `token` (401 for a token that is not its own). */
async function statusWith(server: { url: string }, token: string): Promise<number> {
  const res = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
  await res.body?.cancel();
  return res.status;
}

/** The audit rows of `principal` in one database, once `tools` all have one (read audits are written in batches). */
async function auditOf(
  db: Kysely<unknown>,
  principal: string,
  tools: readonly string[],
): Promise<Array<{ tool: string; principal_id: string; actors: string[] | null }>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await sql<{ tool: string; principal_id: string; actors: string[] | null }>`
      SELECT tool, principal_id, actors FROM mcp_audit_log WHERE principal_id = ${principal} AND outcome = 'ok' ORDER BY id`.execute(db);
    if (tools.every((tool) => rows.some((row) => row.tool === tool)) || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each([DEV_PROFILE, SECOND_PROFILE])('checkout with the $name', (profile: IdentityProfile) => {
  beforeAll(async () => {
    stack = await startFederationStack({
      label: profile === DEV_PROFILE ? 'checkout' : 'checkout2',
      profile,
      withRouter: true,
      orderEnv: { SAGA_CONCURRENCY: '32', SAGA_BACKOFF_MS: '200' },
    });
    customerId = await stack.createCustomer();
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
  });

  describe('checkout against the real customer, product and payment servers', () => {
    it('confirms an order: prices from the product server, payment captured, stock committed', async () => {
      await stack.createProduct('CHK-001', 1250, 10);
      await stack.createProduct('CHK-002', 399, 10);
      const result = await place({
        lines: [
          { sku: 'CHK-001', quantity: 2 },
          { sku: 'CHK-002', quantity: 1 },
        ],
      });
      expect(result.done).toBe(true);
      expect(result.replayed).toBe(false);
      const order = result.order;
      expect(order.status).toBe('confirmed');
      expect(order.total_amount).toBe(2 * 1250 + 399);
      expect(order.currency).toBe('EUR');
      expect(order.lines.map((l) => [l.sku, l.quantity, l.unit_price.amount, l.line_total.amount])).toEqual([
        ['CHK-001', 2, 1250, 2500],
        ['CHK-002', 1, 399, 399],
      ]);
      expect(order.payment.amount_authorized).toBe(2899);
      expect(order.payment.amount_captured).toBe(2899);

      const payments = await sql<{ status: string; amount_captured: string; order_ref: string }>`
        SELECT status, amount_captured, order_ref FROM payments WHERE order_ref = ${order.id}`.execute(stack.paymentDb.db);
      expect(payments.rows).toEqual([{ status: 'captured', amount_captured: '2899', order_ref: order.id }]);
      const reservation = await sql<{ status: string }>`SELECT status FROM reservations WHERE order_reference = ${order.id}`.execute(stack.productDb.db);
      expect(reservation.rows).toEqual([{ status: 'committed' }]);
      const stock = await sql<{ sku: string; on_hand: number; reserved: number }>`
        SELECT sku, on_hand, reserved FROM inventory_levels WHERE sku IN ('CHK-001', 'CHK-002') ORDER BY sku`.execute(stack.productDb.db);
      expect(stock.rows).toEqual([
        { sku: 'CHK-001', on_hand: 8, reserved: 0 },
        { sku: 'CHK-002', on_hand: 9, reserved: 0 },
      ]);

      const detail = await stack.client('order').call(orderGet, { order_id: order.id });
      expect(detail.workflow?.status).toBe('completed');
      expect(detail.workflow?.completed_steps).toEqual([
        'check_eligibility',
        'reserve_inventory',
        'authorize_payment',
        'confirm_order',
        'capture_payment',
        'commit_inventory',
      ]);
      expect(detail.history.map((h) => h.type)).toEqual(['order.confirmed', 'order.placed']);

      // The checkout's upstream calls are on the order server's own /metrics, with a breaker gauge per upstream.
      const metrics = (await (await fetch(`${stack.order.url}/metrics`)).text()).split('\n');
      for (const series of [
        'federation_calls_total{upstream="payment",tool="payment_authorize",outcome="ok",service="order-server"} 1',
        'federation_calls_total{upstream="payment",tool="payment_capture",outcome="ok",service="order-server"} 1',
        'federation_calls_total{upstream="product",tool="inventory_reserve",outcome="ok",service="order-server"} 1',
        'federation_calls_total{upstream="customer",tool="customer_check_eligibility",outcome="ok",service="order-server"} 1',
        'federation_call_duration_seconds_count{service="order-server",upstream="payment",tool="payment_authorize",outcome="ok"} 1',
        'upstream_breaker_state{upstream="customer",service="order-server"} 0',
        'upstream_breaker_state{upstream="product",service="order-server"} 0',
        'upstream_breaker_state{upstream="payment",service="order-server"} 0',
      ]) {
        expect(metrics).toContain(series);
      }
    });

    it('fails a declined payment and releases the stock it had reserved', async () => {
      await stack.createProduct('CHK-DECL', 500, 3);
      const { order, done } = await place({ lines: [{ sku: 'CHK-DECL', quantity: 2 }], payment_method: 'pm_card_declined' });
      expect(done).toBe(true);
      expect(order.status).toBe('failed');
      expect(order.failure_reason).toBe('payment_declined');
      const reservation = await sql<{ status: string }>`SELECT status FROM reservations WHERE order_reference = ${order.id}`.execute(stack.productDb.db);
      expect(reservation.rows).toEqual([{ status: 'released' }]);
      const stock = await sql<{ reserved: number; on_hand: number }>`SELECT reserved, on_hand FROM inventory_levels WHERE sku = 'CHK-DECL'`.execute(
        stack.productDb.db,
      );
      expect(stock.rows).toEqual([{ reserved: 0, on_hand: 3 }]);
    });

    it('refuses unknown SKUs before writing anything, and fails an ineligible or short-stocked checkout', async () => {
      const before = await sql<{ n: string }>`SELECT count(*) AS n FROM orders`.execute(stack.orderDb.db);
      await expect(place({ lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] })).rejects.toMatchObject({ code: 'NOT_FOUND', details: { skus: ['NO-SUCH-SKU'] } });
      const after = await sql<{ n: string }>`SELECT count(*) AS n FROM orders`.execute(stack.orderDb.db);
      expect(after.rows[0]?.n).toBe(before.rows[0]?.n);

      await stack.createProduct('CHK-SHORT', 100, 1);
      const short = await place({ lines: [{ sku: 'CHK-SHORT', quantity: 2 }] });
      expect([short.order.status, short.order.failure_reason]).toEqual(['failed', 'insufficient_stock']);
      const payments = await sql<{ n: string }>`SELECT count(*) AS n FROM payments WHERE order_ref = ${short.order.id}`.execute(stack.paymentDb.db);
      expect(payments.rows[0]?.n).toBe('0');

      const stranger = await place({ customer_id: 'cus_01j9z3k8q4m2n6p7r8s9t0v1w2' });
      expect([stranger.order.status, stranger.order.failure_reason]).toEqual(['failed', 'customer_not_eligible']);
    });

    it('makes one order of one idempotency key, even when the calls race; other arguments are IDEMPOTENCY_KEY_REUSED', async () => {
      await stack.createProduct('CHK-IDEM', 700, 50);
      const key = idempotencyKey();
      const results = await Promise.all(Array.from({ length: 8 }, () => place({ lines: [{ sku: 'CHK-IDEM', quantity: 1 }], idempotency_key: key })));
      expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      expect(results.every((r) => r.order.status === 'confirmed')).toBe(true);
      const orderId = results[0]?.order.id as string;
      const rows = await sql<{ n: string }>`SELECT count(*) AS n FROM orders WHERE idempotency_key = ${key}`.execute(stack.orderDb.db);
      expect(rows.rows[0]?.n).toBe('1');
      const payments = await sql<{ n: string }>`SELECT count(*) AS n FROM payments WHERE order_ref = ${orderId}`.execute(stack.paymentDb.db);
      expect(payments.rows[0]?.n).toBe('1');

      const reused = await place({ lines: [{ sku: 'CHK-IDEM', quantity: 2 }], idempotency_key: key }).catch((error: unknown) => error);
      expect(AppError.is(reused) && reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('200 concurrent checkouts for scarce stock: no oversell, every order confirmed or failed, nothing left held', async () => {
      const STOCK = 60;
      await stack.createProduct('CHK-SCARCE', 1000, STOCK);
      const customers = await Promise.all(Array.from({ length: 20 }, () => stack.createCustomer()));
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          placeAsACarefulAgent({
            customer_id: customers[i % customers.length] as string,
            lines: [{ sku: 'CHK-SCARCE', quantity: 1 + (i % 2) }],
            payment_method: i % 10 === 9 ? 'pm_card_declined' : 'pm_card_visa',
            idempotency_key: idempotencyKey(),
            wait_ms: 25_000,
          }),
        ),
      );
      const ids = results.map((r) => r.order.id);
      // Anything not finished within the wait is finished by the worker: read the final states from the database.
      let orders: Array<{ id: string; status: string; total_amount: string; amount_captured: string; quantity: number }> = [];
      for (let tries = 0; tries < 120; tries++) {
        orders = (
          await sql<{ id: string; status: string; total_amount: string; amount_captured: string; quantity: number }>`
            SELECT o.id, o.status, o.total_amount, o.amount_captured, l.quantity FROM orders o JOIN order_lines l ON l.order_id = o.id
             WHERE o.id = ANY(${ids})`.execute(stack.orderDb.db)
        ).rows;
        if (orders.every((o) => o.status !== 'pending')) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(orders).toHaveLength(200);
      expect(orders.filter((o) => o.status !== 'confirmed' && o.status !== 'failed')).toEqual([]);
      const confirmed = orders.filter((o) => o.status === 'confirmed');
      const sold = confirmed.reduce((sum, o) => sum + o.quantity, 0);
      expect(sold).toBeLessThanOrEqual(STOCK);
      expect(sold).toBeGreaterThan(0);

      const stock = await sql<{ on_hand: number; reserved: number }>`SELECT on_hand, reserved FROM inventory_levels WHERE sku = 'CHK-SCARCE'`.execute(
        stack.productDb.db,
      );
      expect(stock.rows).toEqual([{ on_hand: STOCK - sold, reserved: 0 }]);
      const reservations = await sql<{ order_reference: string; status: string }>`
        SELECT order_reference, status FROM reservations WHERE order_reference = ANY(${ids})`.execute(stack.productDb.db);
      const reservationOf = new Map(reservations.rows.map((r) => [r.order_reference, r.status]));
      const payments = await sql<{ order_ref: string; status: string; amount_captured: string }>`
        SELECT order_ref, status, amount_captured FROM payments WHERE order_ref = ANY(${ids})`.execute(stack.paymentDb.db);
      const paymentsOf = new Map<string, Array<{ status: string; amount_captured: string }>>();
      for (const p of payments.rows)
        paymentsOf.set(p.order_ref, [...(paymentsOf.get(p.order_ref) ?? []), { status: p.status, amount_captured: p.amount_captured }]);

      for (const o of confirmed) {
        expect(reservationOf.get(o.id)).toBe('committed');
        expect(paymentsOf.get(o.id)).toEqual([{ status: 'captured', amount_captured: o.total_amount }]);
        expect(o.amount_captured).toBe(o.total_amount);
        expect(Number(o.total_amount)).toBe(1000 * o.quantity);
      }
      for (const o of orders.filter((x) => x.status === 'failed')) {
        expect(['released', undefined]).toContain(reservationOf.get(o.id));
        expect((paymentsOf.get(o.id) ?? []).filter((p) => p.status === 'authorized' || p.amount_captured !== '0')).toEqual([]);
      }
      const movements = await sql<{ committed: string }>`
        SELECT coalesce(-sum(delta_on_hand), 0) AS committed FROM inventory_movements WHERE sku = 'CHK-SCARCE' AND kind = 'commit'`.execute(stack.productDb.db);
      expect(Number(movements.rows[0]?.committed)).toBe(sold);
    }, 180_000);
  });

  describe("delegation: every hop exchanges the caller's token", () => {
    const shopper = `shopper-${profile.orderClientId}`;
    let shopperCustomer: string;
    let card: string;
    let routerToken: string;

    beforeAll(async () => {
      shopperCustomer = await stack.createCustomer();
      await stack.createProduct('DLG-001', 700, 50);
      const staff = await stack.mcp('payment', ALL_TEST_SCOPES, 'staff-1');
      card = (await expectToolOk<{ payment_method: { id: string } }>(staff, 'payment_method_attach', { customer_id: shopperCustomer, token: 'pm_card_visa' }))
        .payment_method.id;
      // What a customer's agent holds after logging in: a token for the router only, bound to its customer, allowed to
      // order and read orders — nothing on the customer, product or payment servers of its own.
      routerToken = await stack.token({ audience: 'router', scopes: ['order:read', 'order:write'], subject: shopper, customerId: shopperCustomer });
    }, 60_000);

    it('places an order through the router: each server audits the customer-user as principal and the order server and router as actors', async () => {
      const agent = await connect(`${stack.router?.url}/mcp`, routerToken);
      try {
        const placed = await expectToolOk<{ order: { id: string; status: string; customer_id: string } }>(agent, 'order_place', {
          customer_id: shopperCustomer,
          lines: [{ sku: 'DLG-001', quantity: 2 }],
          payment_method: card,
          idempotency_key: idempotencyKey(),
          wait_ms: 20_000,
        });
        expect(placed.order).toMatchObject({ customer_id: shopperCustomer, status: 'confirmed' });
      } finally {
        await agent.close();
      }
      const chain = [profile.orderClientId, profile.routerClientId];
      const rows = {
        order: await auditOf(stack.orderDb.db as Kysely<unknown>, shopper, ['order_place']),
        customer: await auditOf(stack.customerDb.db, shopper, ['customer_check_eligibility']),
        product: await auditOf(stack.productDb.db, shopper, ['product_lookup', 'inventory_reserve', 'inventory_commit']),
        payment: await auditOf(stack.paymentDb.db, shopper, ['payment_authorize', 'payment_capture']),
      };
      expect(rows.order.map((r) => [r.tool, r.actors])).toEqual([['order_place', [profile.routerClientId]]]);
      expect(rows.customer.map((r) => [r.tool, r.actors])).toEqual([['customer_check_eligibility', chain]]);
      expect(rows.product.map((r) => [r.tool, r.actors]).sort()).toEqual([
        ['inventory_commit', chain],
        ['inventory_reserve', chain],
        ['product_lookup', chain],
      ]);
      expect(rows.payment.map((r) => [r.tool, r.actors]).sort()).toEqual([
        ['payment_authorize', chain],
        ['payment_capture', chain],
      ]);
      // Nothing of it ran as the order server itself.
      const asService = await sql<{ n: number }>`SELECT count(*)::int AS n FROM mcp_audit_log WHERE principal_id = ${profile.orderClientId}`.execute(
        stack.paymentDb.db,
      );
      expect(asService.rows).toEqual([{ n: 0 }]);
    }, 60_000);

    it("refuses a token forwarded unchanged: the caller's, and one exchanged for another server, at every server but its own", async () => {
      const servers: StackServer[] = ['customer', 'product', 'payment', 'order'];
      for (const server of servers) expect({ server, status: await statusWith(stack[server], routerToken) }).toEqual({ server, status: 401 });
      // What the order server really sends the payment server for this caller (exchanged at the provider).
      const orderServer = createClientCredentialsTokenSource({
        tokenUrl: stack.tokenUrl,
        issuer: stack.issuer.issuerUrl,
        clientId: profile.orderClientId,
        clientSecret: 'test-only-order-server-secret',
        scopes: ['customer:read'],
      });
      const forOrder = await stack.token({
        audience: 'order',
        scopes: ['order:write'],
        subject: shopper,
        customerId: shopperCustomer,
        actors: [profile.routerClientId],
        clientId: profile.routerClientId,
      });
      const forPayment = await orderServer.token({ audience: stack.audience('payment'), subjectToken: forOrder });
      expect(await statusWith(stack.payment, forPayment)).toBe(200);
      for (const server of ['customer', 'product', 'order'] as const)
        expect({ server, status: await statusWith(stack[server], forPayment) }).toEqual({ server, status: 401 });
      // The order server cannot exchange a token that was not presented to it (one for the payment server).
      await expect(orderServer.token({ audience: stack.audience('customer'), subjectToken: forPayment })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it("the order server's own token is not the caller's: it carries no binding, and without customer:any reaches no customer", async () => {
      const orderServer = createClientCredentialsTokenSource({
        tokenUrl: stack.tokenUrl,
        issuer: stack.issuer.issuerUrl,
        clientId: profile.orderClientId,
        clientSecret: 'test-only-order-server-secret',
        scopes: ORDER_ACTOR_SCOPES,
      });
      const own = await connect(`${stack.customer.url}/mcp`, await orderServer.token({ audience: stack.audience('customer') }));
      try {
        const refused = await expectToolError(own, 'customer_check_eligibility', { customer_id: shopperCustomer });
        expect(refused).toMatchObject({ code: 'FORBIDDEN', details: { missing: ['customer:any'] } });
      } finally {
        await own.close();
      }
      // Exchanged for the shopper's token, the same client reaches the shopper's customer, and no other.
      const forOrder = await stack.token({ audience: 'order', scopes: ['order:write'], subject: shopper, customerId: shopperCustomer });
      const delegated = await connect(`${stack.customer.url}/mcp`, await orderServer.token({ audience: stack.audience('customer'), subjectToken: forOrder }));
      try {
        expect(await expectToolOk<{ eligible: boolean }>(delegated, 'customer_check_eligibility', { customer_id: shopperCustomer })).toMatchObject({
          eligible: true,
        });
        expect(await expectToolError(delegated, 'customer_check_eligibility', { customer_id: customerId })).toMatchObject({
          code: 'FORBIDDEN',
          details: { bound_customer_id: shopperCustomer },
        });
      } finally {
        await delegated.close();
      }
    });
  });
});
