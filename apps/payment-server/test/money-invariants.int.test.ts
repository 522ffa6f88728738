import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import type { ToolErrorPayload } from '@mcpfed/testing';
import { ALL_SCOPES, ledgerTotals, newCustomerId, newOrderRef, startTestPaymentServer } from './fixtures.ts';
import type { PaymentOut, TestPaymentServer } from './fixtures.ts';

let server: TestPaymentServer;
let agent: Client;

beforeAll(async () => {
  // Limits high enough that only the payment's own arithmetic limits the concurrent refunds.
  server = await startTestPaymentServer({ limits: { dailyRefundLimitMinor: 100_000_000, dailyAuthorizationLimitMinor: 100_000_000 } });
  agent = await server.connect(ALL_SCOPES, 'agent-invariants');
});

afterAll(async () => {
  await server?.close();
});

async function capturedPayment(amount: number, token = 'pm_card_visa'): Promise<PaymentOut> {
  const authorized = await expectToolOk<{ payment: PaymentOut }>(agent, 'payment_authorize', {
    order_ref: newOrderRef(),
    customer_id: newCustomerId(),
    amount,
    currency: 'EUR',
    payment_method: token,
    idempotency_key: idempotencyKey(),
  });
  return (await expectToolOk<{ payment: PaymentOut }>(agent, 'payment_capture', { payment_id: authorized.payment.id, idempotency_key: idempotencyKey() }))
    .payment;
}

async function refundedSums(paymentId: string, chargeId: string) {
  const [payment] = await server.db.selectFrom('payments').select(['amount_refunded', 'amount_refund_pending', 'status']).where('id', '=', paymentId).execute();
  const refunds = await server.db.selectFrom('refunds').select(['status', 'amount']).where('payment_id', '=', paymentId).execute();
  const ledger = await sql<{ refunded: string }>`
    SELECT coalesce(sum(e.amount), 0) AS refunded FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
     WHERE t.payment_id = ${paymentId} AND e.account = 'merchant_refunds' AND e.direction = 'debit'`.execute(server.db);
  const provider = await server.sandbox
    .selectFrom('sandbox.refunds')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount'), sql<string>`0`).as('sum'))
    .where('charge_id', '=', chargeId)
    .executeTakeFirstOrThrow();
  return {
    local: Number(payment?.amount_refunded),
    pending: Number(payment?.amount_refund_pending),
    status: payment?.status,
    succeededRefunds: refunds.filter((r) => r.status === 'succeeded').length,
    otherRefunds: refunds.filter((r) => r.status !== 'succeeded').length,
    ledger: Number(ledger.rows[0]?.refunded),
    provider: Number(provider.sum),
  };
}

describe('100 concurrent refunds of one captured payment, each with its own idempotency key', () => {
  it('refund exactly the captured amount when it divides evenly: 50 of 100 succeed', async () => {
    const payment = await capturedPayment(5000);
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        callTool(agent, 'payment_refund', { payment_id: payment.id, amount: 100, currency: 'EUR', reason: 'duplicate', idempotency_key: idempotencyKey() }),
      ),
    );
    const succeeded = results.filter((r) => !r.isError);
    const failed = results.filter((r) => r.isError).map((r) => (r.structuredContent as { error: ToolErrorPayload }).error);
    expect(succeeded).toHaveLength(50);
    expect(failed).toHaveLength(50);
    for (const error of failed) expect(error).toMatchObject({ code: 'PRECONDITION_FAILED', details: { requested: 100 } });
    expect(await refundedSums(payment.id, payment.provider_charge_id)).toEqual({
      local: 5000,
      pending: 0,
      status: 'refunded',
      succeededRefunds: 50,
      otherRefunds: 0,
      ledger: 5000,
      provider: 5000,
    });
  });

  it('never refund more than captured when it does not divide: 33 x 300 of 10000', async () => {
    const payment = await capturedPayment(10_000);
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        callTool(agent, 'payment_refund', { payment_id: payment.id, amount: 300, currency: 'EUR', reason: 'other', idempotency_key: idempotencyKey() }),
      ),
    );
    expect(results.filter((r) => !r.isError)).toHaveLength(33);
    expect(await refundedSums(payment.id, payment.provider_charge_id)).toEqual({
      local: 9900,
      pending: 0,
      status: 'partially_refunded',
      succeededRefunds: 33,
      otherRefunds: 0,
      ledger: 9900,
      provider: 9900,
    });
  });

  it('replays the original refund for a repeated key, also when sent concurrently, and refuses the key with another amount', async () => {
    const payment = await capturedPayment(2000);
    const args = { payment_id: payment.id, amount: 700, currency: 'EUR', reason: 'requested_by_customer', idempotency_key: idempotencyKey() };
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => callTool(agent, 'payment_refund', args)));
    const outcomes = concurrent.map((r) => (r.isError ? (r.structuredContent as { error: ToolErrorPayload }).error.code : 'ok'));
    // Calls that arrive while the first is at the provider are told to retry (CONFLICT, retryable); none refunds again.
    expect(outcomes.every((o) => o === 'ok' || o === 'CONFLICT')).toBe(true);
    const replay = await expectToolOk<{ refund: { id: string }; replayed: boolean }>(agent, 'payment_refund', args);
    expect(replay.replayed).toBe(true);
    const firstOk = concurrent.find((r) => !r.isError)?.structuredContent as { refund: { id: string } };
    expect(replay.refund.id).toBe(firstOk.refund.id);
    const reused = await expectToolError(agent, 'payment_refund', { ...args, amount: 701 });
    expect(reused).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: { idempotency_key: args.idempotency_key } });
    expect(await refundedSums(payment.id, payment.provider_charge_id)).toMatchObject({ local: 700, succeededRefunds: 1, ledger: 700, provider: 700 });
  });

  it('authorizes once for 20 concurrent calls with the same key', async () => {
    const args = {
      order_ref: newOrderRef(),
      customer_id: newCustomerId(),
      amount: 4200,
      currency: 'EUR',
      payment_method: 'pm_card_visa',
      idempotency_key: idempotencyKey(),
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => callTool(agent, 'payment_authorize', args)));
    const ids = new Set(results.filter((r) => !r.isError).map((r) => (r.structuredContent as { payment: PaymentOut }).payment.id));
    expect(ids.size).toBe(1);
    const charges = await server.sandbox
      .selectFrom('sandbox.charges')
      .select('id')
      .where(sql<string>`metadata ->> 'order_ref'`, '=', args.order_ref)
      .execute();
    expect(charges).toHaveLength(1);
    expect(await server.db.selectFrom('payments').select('id').where('order_ref', '=', args.order_ref).execute()).toHaveLength(1);
  });
});

describe('pm_card_timeout: the provider acts, then times out', () => {
  it('a retry with the same key yields exactly one authorization at the provider and one in the ledger', async () => {
    const args = {
      order_ref: newOrderRef(),
      customer_id: newCustomerId(),
      amount: 3100,
      currency: 'EUR',
      payment_method: 'pm_card_timeout',
      idempotency_key: idempotencyKey(),
    };
    const timedOut = await expectToolError(agent, 'payment_authorize', args);
    expect(timedOut).toMatchObject({ code: 'TIMEOUT', retryable: true, details: { outcome: 'unknown' } });
    const [pending] = await server.db
      .selectFrom('payment_operations')
      .select(['status', 'payment_id'])
      .where('idempotency_key', '=', args.idempotency_key)
      .execute();
    expect(pending?.status).toBe('pending');
    const reconciled = await expectToolOk<{ drift: Array<{ kind: string }>; pending_operations: number }>(agent, 'payment_reconcile', {
      order_ref: args.order_ref,
    });
    expect(reconciled).toMatchObject({ pending_operations: 1, drift: [{ kind: 'missing_locally', payment_id: pending?.payment_id }] });

    const retried = await expectToolOk<{ payment: PaymentOut; replayed: boolean }>(agent, 'payment_authorize', args);
    expect(retried).toMatchObject({ replayed: false, payment: { id: pending?.payment_id, status: 'authorized', amount_authorized: 3100 } });
    const again = await expectToolOk<{ payment: PaymentOut; replayed: boolean }>(agent, 'payment_authorize', args);
    expect(again).toEqual({ ...retried, replayed: true });

    const charges = await server.sandbox
      .selectFrom('sandbox.charges')
      .select(['id', 'status'])
      .where(sql<string>`metadata ->> 'order_ref'`, '=', args.order_ref)
      .execute();
    expect(charges).toEqual([{ id: retried.payment.provider_charge_id, status: 'authorized' }]);
    const ledger = await server.db.selectFrom('ledger_transactions').select(['kind']).where('payment_id', '=', retried.payment.id).execute();
    expect(ledger).toEqual([{ kind: 'authorization' }]);
    expect(await expectToolOk(agent, 'payment_reconcile', { order_ref: args.order_ref })).toMatchObject({ in_sync: true, pending_operations: 0 });
  });

  it('a timed-out refund retried with its key refunds once', async () => {
    // pm_card_timeout times out on the first request of every key: authorize and capture each need one retry.
    const order = newOrderRef();
    const authorizeArgs = {
      order_ref: order,
      customer_id: newCustomerId(),
      amount: 1500,
      currency: 'EUR',
      payment_method: 'pm_card_timeout',
      idempotency_key: idempotencyKey(),
    };
    expect((await expectToolError(agent, 'payment_authorize', authorizeArgs)).code).toBe('TIMEOUT');
    const authorized = await expectToolOk<{ payment: PaymentOut }>(agent, 'payment_authorize', authorizeArgs);
    const captureArgs = { payment_id: authorized.payment.id, idempotency_key: idempotencyKey() };
    expect((await expectToolError(agent, 'payment_capture', captureArgs)).code).toBe('TIMEOUT');
    await expectToolOk(agent, 'payment_capture', captureArgs);
    const refundArgs = { payment_id: authorized.payment.id, amount: 500, currency: 'EUR', reason: 'other', idempotency_key: idempotencyKey() };
    expect((await expectToolError(agent, 'payment_refund', refundArgs)).code).toBe('TIMEOUT');
    const pendingView = await expectToolOk<PaymentOut>(agent, 'payment_get', { payment_id: authorized.payment.id });
    expect(pendingView).toMatchObject({ amount_refunded: 0, amount_refund_pending: 500, amount_refundable: 1000 });
    const refunded = await expectToolOk<{ payment: PaymentOut; replayed: boolean }>(agent, 'payment_refund', refundArgs);
    expect(refunded).toMatchObject({ replayed: false, payment: { amount_refunded: 500, amount_refund_pending: 0 } });
    expect(await refundedSums(authorized.payment.id, authorized.payment.provider_charge_id)).toMatchObject({
      local: 500,
      ledger: 500,
      provider: 500,
      succeededRefunds: 1,
    });
  });
});

describe('rules enforced by the database itself', () => {
  it('refuses captured > authorized, refunds beyond captured, negatives, and an unbalanced ledger transaction', async () => {
    const payment = await capturedPayment(1000);
    const attempt = async (statement: ReturnType<typeof sql>) => {
      try {
        await server.db.transaction().execute(async (trx) => void (await statement.execute(trx)));
        return 'committed';
      } catch (error) {
        return (error as { code?: string; constraint?: string }).constraint ?? (error as { code?: string }).code;
      }
    };
    expect(await attempt(sql`UPDATE payments SET amount_captured = amount_authorized + 1 WHERE id = ${payment.id}`)).toBe(
      'payments_captured_within_authorized',
    );
    expect(await attempt(sql`UPDATE payments SET amount_refund_pending = 1001 WHERE id = ${payment.id}`)).toBe('payments_refunds_within_captured');
    expect(
      await attempt(sql`UPDATE payments SET amount_refunded = 600, amount_refund_pending = 500, status = 'partially_refunded' WHERE id = ${payment.id}`),
    ).toBe('payments_refunds_within_captured');
    expect(await attempt(sql`UPDATE payments SET amount_refund_pending = -1 WHERE id = ${payment.id}`)).toBe('payments_amount_refund_pending_check');
    expect(await attempt(sql`UPDATE payments SET status = 'refunded' WHERE id = ${payment.id}`)).toBe('payments_refund_status_consistent');
    const unbalanced = sql`
      WITH t AS (INSERT INTO ledger_transactions (id, payment_id, kind, currency) VALUES ('ltx_0000000000000000000000000x', ${payment.id}, 'refund', 'EUR') RETURNING id)
      INSERT INTO ledger_entries (transaction_id, account, direction, amount, currency)
      VALUES ('ltx_0000000000000000000000000x', 'merchant_refunds', 'debit', 100, 'EUR'),
             ('ltx_0000000000000000000000000x', 'merchant_receivable', 'credit', 99, 'EUR')`;
    expect(await attempt(unbalanced)).toBe('ledger_transaction_balanced');
    const lonely = sql`INSERT INTO ledger_transactions (id, payment_id, kind, currency) VALUES ('ltx_0000000000000000000000000y', ${payment.id}, 'refund', 'EUR')`;
    expect(await attempt(lonely)).toBe('ledger_transaction_balanced');
    const mixed = sql`
      WITH t AS (INSERT INTO ledger_transactions (id, payment_id, kind, currency) VALUES ('ltx_0000000000000000000000000z', ${payment.id}, 'refund', 'EUR') RETURNING id)
      INSERT INTO ledger_entries (transaction_id, account, direction, amount, currency)
      VALUES ('ltx_0000000000000000000000000z', 'merchant_refunds', 'debit', 100, 'USD')`;
    expect(await attempt(mixed)).toBe('ledger_entries_transaction');
    expect(await attempt(sql`UPDATE ledger_entries SET amount = amount + 1 WHERE id = (SELECT min(id) FROM ledger_entries)`)).toBe('ledger_append_only');
    expect(await attempt(sql`DELETE FROM ledger_transactions WHERE payment_id = ${payment.id}`)).toBe('ledger_append_only');
  });

  it('every ledger transaction balances after all of the above', async () => {
    const totals = await ledgerTotals(server.db);
    expect(totals.unbalanced).toBe(0);
    expect(totals.debits).toBe(totals.credits);
    // Payments of 5000 (authorize, capture, 50 refunds), 10000 (2 + 33), 2000 (2 + 1), the concurrent authorize (1),
    // the timed-out authorize (1), the timed-out refund (3) and the constraint test (2): no more, no less.
    expect(totals.transactions).toBe(52 + 35 + 3 + 1 + 1 + 3 + 2);
    const usage = await sql<{ usage: string; ops: string }>`
      SELECT (SELECT coalesce(sum(amount), 0) FROM payment_limit_usage WHERE principal_id = 'agent-invariants') AS usage,
             (SELECT coalesce(sum(amount), 0) FROM payment_operations
               WHERE principal_id = 'agent-invariants' AND kind IN ('authorize', 'refund') AND status IN ('pending', 'succeeded')) AS ops`.execute(server.db);
    expect(usage.rows[0]?.usage).toBe(usage.rows[0]?.ops);
  });
});
