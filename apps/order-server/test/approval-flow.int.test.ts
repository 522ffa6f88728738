/**
 * A person approves money (docs/security.md, "A person approves money"): an order by a caller acting for a customer
 * waits for that person's approval, given in headless Chromium on the order server's approval page after a real
 * login at a real oidc-provider (authorization code + PKCE); a large refund waits for the person on the payment
 * server's page, whether asked for directly (payment_refund) or through the order server (order_refund,
 * order_cancel). Approve, decline, expire, replay of a used approval, approval by another user and a bearer token
 * trying to approve, each with its exact outcome; money moves only on approve, and exactly once.
 */
import type { ApprovalRequiredAnswer } from '@mcpfed/approvals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { Client as SdkClient } from '@modelcontextprotocol/sdk/client/index.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UrlElicitationRequiredError } from '@modelcontextprotocol/sdk/types.js';
import type { Browser, Page } from 'playwright-core';
import { loadOrCreateDevIssuer } from '@mcpfed/auth';
import { createDevProvider } from '@mcpfed/auth/dev-provider';
import type { DevProvider } from '@mcpfed/auth/dev-provider';
import { sql } from '@mcpfed/db';
import { expectToolError, expectToolOk, freePort, idempotencyKey, launchBrowser } from '@mcpfed/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TEST_SCOPES, startFederationStack } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';

const APPROVAL_SECRET = 'test-only-order-approvals-secret';
const PAYMENT_APPROVAL_SECRET = 'test-only-payment-approvals-secret';
const PASSWORD = 'test-only-password';

type Approval = ApprovalRequiredAnswer;
interface PlaceAnswer {
  order?: { id: string; status: string; total_amount: number; currency: string };
  done: boolean;
  replayed: boolean;
  approval?: Approval;
}

let stack: FederationStack;
let provider: DevProvider;
let browser: Browser;
let shopper: Client;
let staff: Client;
let customerA: string;

const args = (key: string) => ({
  customer_id: customerA,
  lines: [{ sku: 'APR-001', quantity: 2 }],
  payment_method: 'pm_card_visa',
  idempotency_key: key,
  wait_ms: 20_000,
});

async function moneyCounts(): Promise<{ orders: number; payments: number; captures: number }> {
  const orders = await sql<{ n: number }>`SELECT count(*)::int AS n FROM orders`.execute(stack.orderDb.db);
  const payments = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments`.execute(stack.paymentDb.db);
  const captures = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE status IN ('captured', 'partially_refunded', 'refunded')`.execute(
    stack.paymentDb.db,
  );
  return { orders: orders.rows[0]?.n ?? -1, payments: payments.rows[0]?.n ?? -1, captures: captures.rows[0]?.n ?? -1 };
}

async function approvalRow(id: string): Promise<{ status: string; decided_by: string | null }> {
  const { rows } = await sql<{ status: string; decided_by: string | null }>`SELECT status, decided_by FROM approvals WHERE id = ${id}`.execute(
    stack.orderDb.db,
  );
  return rows[0] as { status: string; decided_by: string | null };
}

/** Asks for an order that needs approval: nothing placed, the link returned. */
async function ask(key: string): Promise<Approval> {
  const before = await moneyCounts();
  const answer = await expectToolOk<PlaceAnswer>(shopper, 'order_place', args(key));
  expect(answer.order).toBeUndefined();
  expect(answer).toMatchObject({ done: false, replayed: false, approval: { status: 'approval_required', amount: 2400, currency: 'EUR' } });
  expect(answer.approval?.approval_url).toBe(`${stack.order.url}/approvals/${answer.approval?.approval_id}`);
  const raw = await shopper.callTool({ name: 'order_place', arguments: args(key) });
  expect(raw.content).toContainEqual(expect.objectContaining({ type: 'resource_link', uri: answer.approval?.approval_url, mimeType: 'text/html' }));
  expect(await moneyCounts()).toEqual(before);
  return answer.approval as Approval;
}

/** Opens an approval link in a fresh browser context and logs in as `user` at the issuer. */
async function openAs(user: string, url: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.fill('input[name=login]', user);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.href.startsWith(url), { timeout: 30_000 });
  return page;
}

beforeAll(async () => {
  const providerPort = await freePort();
  const providerUrl = `http://127.0.0.1:${providerPort}/oidc`;
  stack = await startFederationStack({
    label: 'approval',
    orderEnv: {
      ORDER_APPROVAL_THRESHOLD_MINOR: '0',
      APPROVAL_ISSUER: providerUrl,
      APPROVAL_CLIENT_ID: 'order-approvals',
      APPROVAL_CLIENT_SECRET: APPROVAL_SECRET,
    },
    paymentEnv: {
      PAYMENT_REFUND_CONFIRM_THRESHOLD_MINOR: '1000',
      APPROVAL_ISSUER: providerUrl,
      APPROVAL_CLIENT_ID: 'payment-approvals',
      APPROVAL_CLIENT_SECRET: PAYMENT_APPROVAL_SECRET,
    },
  });
  // The login's issuer: a real oidc-provider, whose client knows the order server's callback (its port is known now).
  const issuer = await loadOrCreateDevIssuer({ dir: mkdtempSync(path.join(tmpdir(), 'mcpfed-approval-issuer-')), issuerUrl: providerUrl });
  provider = createDevProvider({
    issuer,
    resources: (resource) => resource.startsWith('http://127.0.0.1:'),
    scopes: ALL_TEST_SCOPES,
    clients: [
      { id: 'order-approvals', secret: APPROVAL_SECRET, scopes: ['openid'], redirectUris: [`${stack.order.url}/approvals/callback`] },
      { id: 'payment-approvals', secret: PAYMENT_APPROVAL_SECRET, scopes: ['openid'], redirectUris: [`${stack.payment.url}/approvals/callback`] },
    ],
    users: [
      { subject: 'shopper-a', password: PASSWORD, scopes: ['order:read', 'order:write'] },
      { subject: 'shopper-b', password: PASSWORD, scopes: ['order:read', 'order:write'] },
    ],
  });
  await new Promise<void>((resolve) => provider.server.listen(providerPort, '127.0.0.1', resolve));
  customerA = await stack.createCustomer();
  await stack.createProduct('APR-001', 1200, 100);
  shopper = await stack.mcp('order', ['order:read', 'order:write', 'payment:refund'], 'shopper-a', customerA);
  staff = await stack.mcp('order', ALL_TEST_SCOPES, 'staff-1');
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  provider?.server.closeAllConnections();
  await new Promise<void>((resolve) => (provider ? provider.server.close(() => resolve()) : resolve()));
  await stack?.close();
});

describe('an order by a caller acting for a customer', () => {
  it('approve: the person sees amount, currency, customer and items, approves; the same key then places it once', async () => {
    const key = idempotencyKey();
    const approval = await ask(key);
    expect(await moneyCounts()).toEqual({ orders: 0, payments: 0, captures: 0 });
    // Asking again before a decision returns the same approval, still nothing placed.
    expect((await expectToolOk<PlaceAnswer>(shopper, 'order_place', args(key))).approval?.approval_id).toBe(approval.approval_id);

    const page = await openAs('shopper-a', approval.approval_url);
    expect(await page.textContent('#amount')).toBe('24.00 EUR');
    expect(await page.textContent('#customer')).toBe(customerA);
    expect(await page.textContent('table')).toContain('APR-001');
    await page.click('#approve');
    expect(await page.textContent('#result')).toBe('approved');
    await page.context().close();
    expect(await approvalRow(approval.approval_id)).toEqual({ status: 'approved', decided_by: 'shopper-a' });

    // The agent (and a retry racing it) call again with the same key: one order, one charge.
    const answers = await Promise.all([1, 2, 3].map(() => expectToolOk<PlaceAnswer>(shopper, 'order_place', args(key))));
    const placed = answers.find((answer) => !answer.replayed) as PlaceAnswer;
    expect(answers.filter((answer) => !answer.replayed)).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.order?.id)).size).toBe(1);
    expect(placed).toMatchObject({ replayed: false, done: true, order: { status: 'confirmed', total_amount: 2400, currency: 'EUR' } });
    expect(placed.approval).toBeUndefined();
    expect(await moneyCounts()).toEqual({ orders: 1, payments: 1, captures: 1 });
    expect((await approvalRow(approval.approval_id)).status).toBe('used');

    // Replay of the same key: the same order, replayed, no second charge.
    const again = await expectToolOk<PlaceAnswer>(shopper, 'order_place', args(key));
    expect(again).toMatchObject({ replayed: true, order: { id: placed.order?.id } });
    expect(await moneyCounts()).toEqual({ orders: 1, payments: 1, captures: 1 });

    // A used approval cannot be decided again, nor start another order: another key needs its own approval.
    const reused = await openAs('shopper-a', approval.approval_url);
    expect(await reused.textContent('#status')).toContain('used');
    expect(await reused.locator('#approve').count()).toBe(0);
    await reused.context().close();
    const other = await ask(idempotencyKey());
    expect(other.approval_id).not.toBe(approval.approval_id);
    expect(await moneyCounts()).toEqual({ orders: 1, payments: 1, captures: 1 });
  }, 120_000);

  it('decline: the call with the same key is FORBIDDEN (details.approval "declined"), nothing placed or charged', async () => {
    const key = idempotencyKey();
    const approval = await ask(key);
    const before = await moneyCounts();
    const page = await openAs('shopper-a', approval.approval_url);
    await page.click('#decline');
    expect(await page.textContent('#result')).toBe('declined');
    await page.context().close();
    const error = await expectToolError(shopper, 'order_place', args(key));
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { approval: 'declined', approval_id: approval.approval_id } });
    expect(await approvalRow(approval.approval_id)).toEqual({ status: 'declined', decided_by: 'shopper-a' });
    expect(await moneyCounts()).toEqual(before);
  }, 120_000);

  it('expire: an undecided approval past its expiry cannot be approved, and the call is PRECONDITION_FAILED', async () => {
    const key = idempotencyKey();
    const approval = await ask(key);
    const before = await moneyCounts();
    const page = await openAs('shopper-a', approval.approval_url);
    // Time passes beyond the approval's expiry while the page is open.
    await sql`UPDATE approvals SET expires_at = now() - interval '1 second' WHERE id = ${approval.approval_id}`.execute(stack.orderDb.db);
    await page.click('#approve');
    expect(await page.textContent('#result')).toBe('expired');
    await page.context().close();
    const error = await expectToolError(shopper, 'order_place', args(key));
    expect(error).toMatchObject({ code: 'PRECONDITION_FAILED', details: { approval: 'expired', approval_id: approval.approval_id } });
    expect((await approvalRow(approval.approval_id)).status).toBe('pending');
    expect(await moneyCounts()).toEqual(before);
  }, 120_000);

  it('approval by another user: refused page, status unchanged, nothing placed', async () => {
    const key = idempotencyKey();
    const approval = await ask(key);
    const before = await moneyCounts();
    const page = await openAs('shopper-b', approval.approval_url);
    expect(await page.textContent('#refused')).toBe('Not your approval');
    expect(await page.locator('#approve').count()).toBe(0);
    await page.context().close();
    expect(await approvalRow(approval.approval_id)).toEqual({ status: 'pending', decided_by: null });
    expect((await expectToolOk<PlaceAnswer>(shopper, 'order_place', args(key))).approval?.approval_id).toBe(approval.approval_id);
    expect(await moneyCounts()).toEqual(before);
    const audit = await sql<{ principal_id: string; outcome: string }>`
      SELECT principal_id, outcome FROM mcp_audit_log WHERE tool = 'approval_decide' AND args->>'approval_id' = ${approval.approval_id}`.execute(
      stack.orderDb.db,
    );
    expect(audit.rows).toEqual([{ principal_id: 'shopper-b', outcome: 'FORBIDDEN' }]);
  }, 120_000);

  it('a service principal trying to approve: a bearer token is refused (403), no session is refused (401), status unchanged', async () => {
    const key = idempotencyKey();
    const approval = await ask(key);
    const before = await moneyCounts();
    const serviceToken = await stack.issuer.mint({ subject: 'order-server', scopes: ALL_TEST_SCOPES, audience: 'mcpfed', ttlSeconds: 300 });
    const userToken = await stack.issuer.mint({ subject: 'shopper-a', scopes: ALL_TEST_SCOPES, audience: 'mcpfed', ttlSeconds: 300, customerId: customerA });
    for (const token of [serviceToken, userToken]) {
      const response = await fetch(approval.approval_url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'decision=approve&csrf=x',
        redirect: 'manual',
      });
      expect(response.status).toBe(403);
    }
    const anonymous = await fetch(approval.approval_url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
      redirect: 'manual',
    });
    expect(anonymous.status).toBe(401);
    expect(await approvalRow(approval.approval_id)).toEqual({ status: 'pending', decided_by: null });
    expect(await moneyCounts()).toEqual(before);
  }, 120_000);
});

/** A confirmed, captured order of customer A for 2400 EUR minor units, placed by staff (unbound: not gated). */
async function paidOrder(): Promise<{ id: string; version: number }> {
  const placed = await expectToolOk<{ order: { id: string; version: number; status: string } }>(staff, 'order_place', args(idempotencyKey()));
  expect(placed.order.status).toBe('confirmed');
  return placed.order;
}

/** Refund rows of the payment server and refunds the sandbox provider made, in all or for one payment. */
async function refundRows(paymentId?: string): Promise<{ refunds: number; refunded: number; provider: number }> {
  const db = stack.paymentDb.db;
  const refunds = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM refunds WHERE ${paymentId ?? null}::text IS NULL OR payment_id = ${paymentId ?? null}`.execute(db);
  const refunded = await sql<{
    n: number;
  }>`SELECT coalesce(sum(amount_refunded), 0)::int AS n FROM payments WHERE ${paymentId ?? null}::text IS NULL OR id = ${paymentId ?? null}`.execute(db);
  const provider = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM sandbox.refunds r
     WHERE ${paymentId ?? null}::text IS NULL OR r.charge_id = (SELECT provider_charge_id FROM payments WHERE id = ${paymentId ?? null})`.execute(db);
  return { refunds: refunds.rows[0]?.n ?? -1, refunded: refunded.rows[0]?.n ?? -1, provider: provider.rows[0]?.n ?? -1 };
}

async function paymentApprovalRow(id: string): Promise<{ status: string; decided_by: string | null; caller_principal: string; operation: string }> {
  const { rows } = await sql<{ status: string; decided_by: string | null; caller_principal: string; operation: string }>`
    SELECT status, decided_by, caller_principal, operation FROM approvals WHERE id = ${id}`.execute(stack.paymentDb.db);
  return rows[0] as { status: string; decided_by: string | null; caller_principal: string; operation: string };
}

async function orderRefundApprovals(): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM approvals WHERE operation <> 'order_place'`.execute(stack.orderDb.db);
  return rows[0]?.n ?? -1;
}

describe('payment_refund called directly above the threshold', () => {
  let payer: Client;
  interface RefundAnswer {
    dry_run: boolean;
    refund: { id: string; status: string; amount: number } | null;
    requires_approval: boolean;
    approval?: Approval;
    replayed: boolean;
  }
  /** A captured payment of customer A (2400 EUR minor units) and the refund arguments of all of it. */
  async function capturedPayment(): Promise<{ paymentId: string; input: Record<string, unknown> }> {
    const order = await paidOrder();
    const { rows } = await sql<{ id: string }>`SELECT id FROM payments WHERE order_ref = ${order.id}`.execute(stack.paymentDb.db);
    const paymentId = (rows[0] as { id: string }).id;
    return { paymentId, input: { payment_id: paymentId, amount: 2400, currency: 'EUR', reason: 'requested_by_customer', idempotency_key: idempotencyKey() } };
  }
  async function askRefund(input: Record<string, unknown>): Promise<Approval> {
    const answer = await expectToolOk<RefundAnswer>(payer, 'payment_refund', input);
    expect(answer).toMatchObject({
      dry_run: false,
      refund: null,
      requires_approval: true,
      replayed: false,
      approval: { status: 'approval_required', amount: 2400, currency: 'EUR' },
    });
    const approval = answer.approval as Approval;
    expect(approval.approval_url).toBe(`${stack.payment.url}/approvals/${approval.approval_id}`);
    expect(await paymentApprovalRow(approval.approval_id)).toMatchObject({ status: 'pending', caller_principal: 'shopper-a', operation: 'payment_refund' });
    return approval;
  }

  beforeAll(async () => {
    payer = await stack.mcp('payment', ['payment:read', 'payment:write', 'payment:refund'], 'shopper-a', customerA);
  });

  it("approve: nothing refunded until the person approves on the payment server's page; then the same key refunds once, and replays", async () => {
    const { paymentId, input } = await capturedPayment();
    const approval = await askRefund(input);
    // A dry run and a second ask name the same approval; nothing moves.
    expect((await expectToolOk<RefundAnswer>(payer, 'payment_refund', { ...input, dry_run: true })).approval?.approval_id).toBe(approval.approval_id);
    expect((await expectToolOk<RefundAnswer>(payer, 'payment_refund', input)).approval?.approval_id).toBe(approval.approval_id);
    expect(await refundRows(paymentId)).toEqual({ refunds: 0, refunded: 0, provider: 0 });

    const page = await openAs('shopper-a', approval.approval_url);
    expect(await page.textContent('h1')).toBe('Approve a refund?');
    expect(await page.textContent('#amount')).toBe('24.00 EUR');
    expect(await page.textContent('#customer')).toBe(customerA);
    await page.click('#approve');
    expect(await page.textContent('#result')).toBe('approved');
    await page.context().close();

    const done = await expectToolOk<RefundAnswer>(payer, 'payment_refund', input);
    expect(done).toMatchObject({ dry_run: false, replayed: false, requires_approval: true, refund: { status: 'succeeded', amount: 2400 } });
    expect(done.approval).toBeUndefined();
    expect(await refundRows(paymentId)).toEqual({ refunds: 1, refunded: 2400, provider: 1 });
    expect((await paymentApprovalRow(approval.approval_id)).status).toBe('used');
    const again = await expectToolOk<RefundAnswer>(payer, 'payment_refund', input);
    expect(again).toEqual({ ...done, replayed: true });
    expect(await refundRows(paymentId)).toEqual({ refunds: 1, refunded: 2400, provider: 1 });
  }, 120_000);

  it('decline: the same call is FORBIDDEN (details.approval "declined") and nothing is refunded', async () => {
    const { paymentId, input } = await capturedPayment();
    const approval = await askRefund(input);
    const page = await openAs('shopper-a', approval.approval_url);
    await page.click('#decline');
    expect(await page.textContent('#result')).toBe('declined');
    await page.context().close();
    const error = await expectToolError(payer, 'payment_refund', input);
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { approval: 'declined', approval_id: approval.approval_id } });
    expect(await paymentApprovalRow(approval.approval_id)).toMatchObject({ status: 'declined', decided_by: 'shopper-a' });
    expect(await refundRows(paymentId)).toEqual({ refunds: 0, refunded: 0, provider: 0 });
  }, 120_000);

  it('expire: an undecided approval past its expiry is PRECONDITION_FAILED and nothing is refunded', async () => {
    const { paymentId, input } = await capturedPayment();
    const approval = await askRefund(input);
    await sql`UPDATE approvals SET expires_at = now() - interval '1 second' WHERE id = ${approval.approval_id}`.execute(stack.paymentDb.db);
    const error = await expectToolError(payer, 'payment_refund', input);
    expect(error).toMatchObject({ code: 'PRECONDITION_FAILED', details: { approval: 'expired', approval_id: approval.approval_id } });
    expect(await refundRows(paymentId)).toEqual({ refunds: 0, refunded: 0, provider: 0 });
  }, 120_000);

  it('another user: refused page, status unchanged, nothing refunded; the decision is audited on the payment server', async () => {
    const { paymentId, input } = await capturedPayment();
    const approval = await askRefund(input);
    const page = await openAs('shopper-b', approval.approval_url);
    expect(await page.textContent('#refused')).toBe('Not your approval');
    expect(await page.locator('#approve').count()).toBe(0);
    await page.context().close();
    expect(await paymentApprovalRow(approval.approval_id)).toMatchObject({ status: 'pending', decided_by: null });
    expect((await expectToolOk<RefundAnswer>(payer, 'payment_refund', input)).approval?.approval_id).toBe(approval.approval_id);
    expect(await refundRows(paymentId)).toEqual({ refunds: 0, refunded: 0, provider: 0 });
    const audit = await sql<{ principal_id: string; outcome: string }>`
      SELECT principal_id, outcome FROM mcp_audit_log WHERE tool = 'approval_decide' AND args->>'approval_id' = ${approval.approval_id}`.execute(
      stack.paymentDb.db,
    );
    expect(audit.rows).toEqual([{ principal_id: 'shopper-b', outcome: 'FORBIDDEN' }]);
  }, 120_000);

  it('bearer tokens of a service and of the user cannot approve (403), no session is 401; nothing refunded', async () => {
    const { paymentId, input } = await capturedPayment();
    const approval = await askRefund(input);
    const serviceToken = await stack.token({
      audience: 'payment',
      scopes: ALL_TEST_SCOPES,
      subject: stack.profile.orderClientId,
      clientId: stack.profile.orderClientId,
    });
    const userToken = await stack.token({ audience: 'payment', scopes: ALL_TEST_SCOPES, subject: 'shopper-a', customerId: customerA });
    for (const token of [serviceToken, userToken]) {
      const response = await fetch(approval.approval_url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'decision=approve&csrf=x',
        redirect: 'manual',
      });
      expect(response.status).toBe(403);
    }
    const anonymous = await fetch(approval.approval_url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
      redirect: 'manual',
    });
    expect(anonymous.status).toBe(401);
    expect(await paymentApprovalRow(approval.approval_id)).toMatchObject({ status: 'pending', decided_by: null });
    expect(await refundRows(paymentId)).toEqual({ refunds: 0, refunded: 0, provider: 0 });
  }, 120_000);

  it('at or below the threshold: refunded at once, no approval asked', async () => {
    const { paymentId, input } = await capturedPayment();
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM approvals`.execute(stack.paymentDb.db);
    const done = await expectToolOk<RefundAnswer>(payer, 'payment_refund', { ...input, amount: 1000 });
    expect(done).toMatchObject({ requires_approval: false, refund: { status: 'succeeded', amount: 1000 } });
    expect(done.approval).toBeUndefined();
    expect(await refundRows(paymentId)).toEqual({ refunds: 1, refunded: 1000, provider: 1 });
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM approvals`.execute(stack.paymentDb.db);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  }, 120_000);
});

describe('a refund above the approval threshold through the order server', () => {
  it("order_refund: relays the payment server's approval, refunds nothing until the person approves there; then the same key refunds once", async () => {
    const order = await paidOrder();
    const before = await refundRows();
    const input = { order_id: order.id, expected_version: order.version, idempotency_key: idempotencyKey() };
    const waiting = await expectToolOk<{ refund_amount: number; payment_refund_id: string | null; approval?: Approval; order: { version: number } }>(
      shopper,
      'order_refund',
      input,
    );
    expect(waiting).toMatchObject({
      refund_amount: 2400,
      payment_refund_id: null,
      approval: { status: 'approval_required', amount: 2400, currency: 'EUR' },
      order: { version: order.version },
    });
    const approval = waiting.approval as Approval;
    // One approval, asked of the person by the payment server: the order server asks nobody itself.
    expect(approval.approval_url).toBe(`${stack.payment.url}/approvals/${approval.approval_id}`);
    expect(await paymentApprovalRow(approval.approval_id)).toMatchObject({ status: 'pending', caller_principal: 'shopper-a', operation: 'payment_refund' });
    expect(await orderRefundApprovals()).toBe(0);
    expect(await refundRows()).toEqual(before);
    // Asking again names the same approval, nothing claimed.
    expect((await expectToolOk<{ approval?: Approval }>(shopper, 'order_refund', input)).approval?.approval_id).toBe(approval.approval_id);

    const page = await openAs('shopper-a', approval.approval_url);
    expect(await page.textContent('h1')).toBe('Approve a refund?');
    expect(await page.textContent('#amount')).toBe('24.00 EUR');
    await page.click('#approve');
    expect(await page.textContent('#result')).toBe('approved');
    await page.context().close();

    const done = await expectToolOk<{ refund_amount: number; payment_refund_id: string | null; approval?: Approval; replayed: boolean }>(
      shopper,
      'order_refund',
      input,
    );
    expect(done).toMatchObject({ refund_amount: 2400, replayed: false });
    expect(done.payment_refund_id).not.toBeNull();
    expect(done.approval).toBeUndefined();
    expect(await refundRows()).toEqual({ refunds: before.refunds + 1, refunded: before.refunded + 2400, provider: before.provider + 1 });
    expect((await paymentApprovalRow(approval.approval_id)).status).toBe('used');
    const again = await expectToolOk<{ payment_refund_id: string | null; replayed: boolean }>(shopper, 'order_refund', input);
    expect(again).toMatchObject({ replayed: true, payment_refund_id: done.payment_refund_id });
    expect(await refundRows()).toEqual({ refunds: before.refunds + 1, refunded: before.refunded + 2400, provider: before.provider + 1 });
  }, 120_000);

  it('order_cancel of a captured order: declined on the payment server, it is FORBIDDEN and nothing is refunded or cancelled', async () => {
    const order = await paidOrder();
    const before = await refundRows();
    const input = { order_id: order.id, expected_version: order.version, idempotency_key: idempotencyKey() };
    const waiting = await expectToolOk<{ payment_action: string; refund_amount: number; approval?: Approval }>(shopper, 'order_cancel', input);
    expect(waiting).toMatchObject({ payment_action: 'refund', refund_amount: 2400, approval: { status: 'approval_required' } });
    expect((waiting.approval as Approval).approval_url.startsWith(`${stack.payment.url}/approvals/`)).toBe(true);
    const page = await openAs('shopper-a', (waiting.approval as Approval).approval_url);
    await page.click('#decline');
    expect(await page.textContent('#result')).toBe('declined');
    await page.context().close();
    const error = await expectToolError(shopper, 'order_cancel', input);
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { approval: 'declined' } });
    expect(await refundRows()).toEqual(before);
    const current = await expectToolOk<{ order: { status: string; version: number } }>(staff, 'order_get', { order_id: order.id });
    expect(current.order).toMatchObject({ status: 'confirmed', version: order.version });
  }, 120_000);
});

describe('a client that takes URL-mode elicitation', () => {
  /** The SDK client of a shopper that declares URL-mode elicitation (2025-11-25 `elicitation: { url: {} }`). */
  async function elicitingShopper(): Promise<Client> {
    const token = await stack.token({ audience: 'order', scopes: ['order:read', 'order:write'], subject: 'shopper-a', customerId: customerA });
    const client = new SdkClient({ name: 'eliciting-agent', version: '0.0.0' }, { capabilities: { elicitation: { url: {} } } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${stack.order.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    return client;
  }
  // A stateless server sees no initialize of this client (another replica, or the router, may have answered it):
  // the capability travels with each request as well, the form MCP 2026-07-28 uses.
  const declares = (elicitation: Record<string, unknown>) => ({ 'io.modelcontextprotocol/clientCapabilities': { elicitation } });

  it('gets the approval page as a URLElicitationRequired error (-32042), approves in the browser, and the retry with the same key places the order once', async () => {
    const client = await elicitingShopper();
    try {
      const key = idempotencyKey();
      const before = await moneyCounts();
      const refused = await client.callTool({ name: 'order_place', arguments: args(key), _meta: declares({ url: {} }) }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(refused).toBeInstanceOf(UrlElicitationRequiredError);
      const elicitations = (refused as UrlElicitationRequiredError).elicitations;
      expect(elicitations).toHaveLength(1);
      const [elicitation] = elicitations;
      expect(elicitation).toMatchObject({ mode: 'url', url: `${stack.order.url}/approvals/${elicitation?.elicitationId}` });
      expect(elicitation?.message).toMatch(/^A person must approve this in their browser first/);
      expect(await approvalRow(String(elicitation?.elicitationId))).toEqual({ status: 'pending', decided_by: null });
      expect(await moneyCounts()).toEqual(before);

      const page = await openAs('shopper-a', String(elicitation?.url));
      await page.click('#approve');
      expect(await page.textContent('#result')).toBe('approved');
      await page.context().close();

      const placed = await client.callTool({ name: 'order_place', arguments: args(key), _meta: declares({ url: {} }) });
      expect(placed.isError).toBeUndefined();
      expect(placed.structuredContent).toMatchObject({ replayed: false, done: true, order: { status: 'confirmed', total_amount: 2400 } });
      expect((placed.structuredContent as { approval?: unknown }).approval).toBeUndefined();
      expect(await moneyCounts()).toEqual({ orders: before.orders + 1, payments: before.payments + 1, captures: before.captures + 1 });
      expect((await approvalRow(String(elicitation?.elicitationId))).status).toBe('used');
    } finally {
      await client.close();
    }
  }, 120_000);

  it('a client that declares form mode only keeps the link in the tool result', async () => {
    const client = await elicitingShopper();
    try {
      const answer = await client.callTool({ name: 'order_place', arguments: args(idempotencyKey()), _meta: declares({ form: {} }) });
      expect(answer.isError).toBeUndefined();
      expect(answer.structuredContent).toMatchObject({ done: false, approval: { status: 'approval_required' } });
    } finally {
      await client.close();
    }
  });
});

describe('an order needing approval for a 2026-07-28 client (SDK v2)', () => {
  const approvalIdOf = (params: Record<string, unknown>) => String(params['url']).split('/').pop() as string;
  /** The SDK v2 client of shopper-a on 2026-07-28; `elicitation` is what it declares (sent with every request). */
  async function modernShopper(
    elicitation: Record<string, Record<string, never>>,
    onElicit?: (params: Record<string, unknown>) => Promise<void>,
    tasks = false,
  ): Promise<ModernClient> {
    const token = await stack.token({ audience: 'order', scopes: ['order:read', 'order:write'], subject: 'shopper-a', customerId: customerA });
    const capabilities = { elicitation, ...(tasks ? { extensions: { 'io.modelcontextprotocol/tasks': {} } } : {}) };
    const client = new ModernClient({ name: 'modern-agent', version: '0.0.0' }, { capabilities, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    if (onElicit !== undefined) {
      client.setRequestHandler('elicitation/create', async (request) => {
        await onElicit(((request as { params?: Record<string, unknown> }).params ?? request) as Record<string, unknown>);
        return { action: 'accept' };
      });
    }
    await client.connect(new ModernHttpTransport(new URL(`${stack.order.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    return client;
  }

  it('gets an input_required result carrying the URL elicitation; after the person approves, the SDK calls again with the same key and the order is placed once', async () => {
    const key = idempotencyKey();
    const before = await moneyCounts();
    const asked: Record<string, unknown>[] = [];
    const client = await modernShopper({ url: {} }, async (params) => {
      asked.push(params);
      // Nothing is placed while the person has not decided.
      expect(await moneyCounts()).toEqual(before);
      expect(await approvalRow(approvalIdOf(params)), JSON.stringify(params)).toEqual({ status: 'pending', decided_by: null });
      const page = await openAs('shopper-a', String(params['url']));
      await page.click('#approve');
      expect(await page.textContent('#result')).toBe('approved');
      await page.context().close();
    });
    try {
      const placed = await client.callTool({ name: 'order_place', arguments: args(key) }, { timeout: 90_000 });
      // One round: the input_required result's one request was the approval page, in URL mode.
      expect(asked).toHaveLength(1);
      // 2026-07-28's URL mode has no elicitationId in the request: the approval is the page's own id.
      expect(asked[0]).toEqual({ mode: 'url', url: expect.stringMatching(new RegExp(`^${stack.order.url}/approvals/apr_\\w+$`)), message: expect.any(String) });
      expect(asked[0]?.['message']).toMatch(/^A person must approve this in their browser first/);
      expect(placed.isError).toBeUndefined();
      expect(placed.structuredContent).toMatchObject({ replayed: false, done: true, order: { status: 'confirmed', total_amount: 2400 } });
      expect(await moneyCounts()).toEqual({ orders: before.orders + 1, payments: before.payments + 1, captures: before.captures + 1 });
      expect((await approvalRow(approvalIdOf(asked[0] ?? {}))).status).toBe('used');
    } finally {
      await client.close();
    }
  }, 120_000);

  it('a 2026-07-28 client that declares no URL elicitation keeps the link in the tool result, whether or not it takes tasks', async () => {
    for (const tasks of [false, true]) {
      const client = await modernShopper({ form: {} }, undefined, tasks);
      try {
        const answer = await client.callTool({ name: 'order_place', arguments: args(idempotencyKey()) });
        expect(answer.isError, `tasks ${tasks}`).toBeUndefined();
        expect(answer.structuredContent, `tasks ${tasks}`).toMatchObject({ done: false, approval: { status: 'approval_required', amount: 2400 } });
      } finally {
        await client.close();
      }
    }
  });
});
