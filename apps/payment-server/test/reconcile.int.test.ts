import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { ReconciliationService } from '../src/service/reconciliation-service.ts';
import { ALL_SCOPES, ledgerTotals, newCustomerId, newOrderRef, staffContext, startTestPaymentServer, sweepContext } from './fixtures.ts';
import type { PaymentOut, TestPaymentServer } from './fixtures.ts';

let server: TestPaymentServer;
let agent: Client;
/** The sweep as main.ts runs it, but taking over pending operations at once instead of after the lease. */
let sweeper: ReconciliationService;
const started = new Date(Date.now() - 1000);

interface Reconciled {
  in_sync: boolean;
  drift: Array<Record<string, unknown>>;
  pending_operations: number;
  payments_checked: number;
  provider_charges_checked: number;
}

beforeAll(async () => {
  // pm_card_slow waits long enough that the test can give up while the provider has not acted, on a loaded machine too.
  server = await startTestPaymentServer({ slowMs: 3000 });
  agent = await server.connect(ALL_SCOPES, 'agent-reconcile');
  sweeper = new ReconciliationService({
    db: server.db,
    provider: server.provider,
    payments: server.domain.payments,
    logger: server.logger,
    unattendedAfterMs: 0,
  });
});

afterAll(async () => {
  await server?.close();
});

async function authorize(overrides: Record<string, unknown> = {}): Promise<PaymentOut> {
  const out = await expectToolOk<{ payment: PaymentOut }>(agent, 'payment_authorize', {
    order_ref: newOrderRef(),
    customer_id: newCustomerId(),
    amount: 1000,
    currency: 'EUR',
    payment_method: 'pm_card_visa',
    idempotency_key: idempotencyKey(),
    ...overrides,
  });
  return out.payment;
}

async function capture(payment: PaymentOut): Promise<PaymentOut> {
  return (await expectToolOk<{ payment: PaymentOut }>(agent, 'payment_capture', { payment_id: payment.id, idempotency_key: idempotencyKey() })).payment;
}

/** Every drift the tests below inject, in the order reconcile reports them over the whole window. */
const injected: Array<Record<string, unknown>> = [];

describe('drift injected into the provider records', () => {
  it('reports a captured amount changed at the provider, with all three values', async () => {
    const payment = await capture(await authorize());
    expect(await expectToolOk<Reconciled>(agent, 'payment_reconcile', { order_ref: payment.order_ref })).toMatchObject({ in_sync: true, drift: [] });
    await server.sandbox.updateTable('sandbox.charges').set({ amount_captured: 900 }).where('id', '=', payment.provider_charge_id).execute();
    const drift = {
      kind: 'amount_mismatch',
      payment_id: payment.id,
      provider_charge_id: payment.provider_charge_id,
      field: 'captured',
      ledger: 1000,
      local: 1000,
      provider: 900,
      message: `captured of payment ${payment.id} differs: ledger 1000, local 1000, provider 900 (EUR minor units).`,
    };
    expect(await expectToolOk<Reconciled>(agent, 'payment_reconcile', { order_ref: payment.order_ref })).toMatchObject({ in_sync: false, drift: [drift] });
    injected.push(drift);
  });

  it('reports a charge voided behind our back: the hold and the status differ', async () => {
    const payment = await authorize({ amount: 1700 });
    await server.sandbox.updateTable('sandbox.charges').set({ status: 'voided' }).where('id', '=', payment.provider_charge_id).execute();
    const ids = { payment_id: payment.id, provider_charge_id: payment.provider_charge_id };
    const drift = [
      { kind: 'amount_mismatch', ...ids, field: 'held', ledger: 1700, local: 1700, provider: 0, message: expect.any(String) },
      { kind: 'status_mismatch', ...ids, field: null, ledger: null, local: 'authorized', provider: 'voided', message: expect.any(String) },
    ];
    expect((await expectToolOk<Reconciled>(agent, 'payment_reconcile', { order_ref: payment.order_ref })).drift).toEqual(drift);
    injected.push(...drift);
  });

  it('reports a payment whose charge the provider does not have', async () => {
    const payment = await authorize({ amount: 300 });
    await server.sandbox.deleteFrom('sandbox.charges').where('id', '=', payment.provider_charge_id).execute();
    const drift = {
      kind: 'missing_at_provider',
      payment_id: payment.id,
      provider_charge_id: payment.provider_charge_id,
      field: null,
      ledger: null,
      local: 300,
      provider: null,
      message: expect.any(String),
    };
    expect((await expectToolOk<Reconciled>(agent, 'payment_reconcile', { order_ref: payment.order_ref })).drift).toEqual([drift]);
    injected.push(drift);
  });
});

describe('drift injected into the ledger', () => {
  it('reports a (balanced) refund posting that neither the payment nor the provider knows', async () => {
    const payment = await capture(await authorize({ amount: 2000 }));
    await server.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO ledger_transactions (id, payment_id, kind, currency) VALUES ('ltx_0000000000000000000000drft', ${payment.id}, 'refund', 'EUR')`.execute(
        trx,
      );
      await sql`
        INSERT INTO ledger_entries (transaction_id, account, direction, amount, currency)
        VALUES ('ltx_0000000000000000000000drft', 'merchant_refunds', 'debit', 250, 'EUR'),
               ('ltx_0000000000000000000000drft', 'merchant_receivable', 'credit', 250, 'EUR')`.execute(trx);
    });
    const drift = {
      kind: 'amount_mismatch',
      payment_id: payment.id,
      provider_charge_id: payment.provider_charge_id,
      field: 'refunded',
      ledger: 250,
      local: 0,
      provider: 0,
      message: `refunded of payment ${payment.id} differs: ledger 250, local 0, provider 0 (EUR minor units).`,
    };
    expect(await expectToolOk<Reconciled>(agent, 'payment_reconcile', { order_ref: payment.order_ref })).toMatchObject({
      in_sync: false,
      drift: [drift],
      payments_checked: 1,
    });
    injected.push(drift);
  });
});

describe('a local write that fails after the provider succeeded', () => {
  it('is reported, then completed by the sweep, and the retry returns the same payment', async () => {
    const order = newOrderRef();
    await sql`
      CREATE FUNCTION test_fail_payment_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF NEW.order_ref = ${sql.lit(order)} THEN RAISE EXCEPTION 'injected failure of the local write'; END IF;
        RETURN NEW;
      END $fn$`.execute(server.db);
    await sql`CREATE TRIGGER test_fail_payment_insert BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION test_fail_payment_insert()`.execute(server.db);
    const args = {
      order_ref: order,
      customer_id: newCustomerId(),
      amount: 4400,
      currency: 'EUR',
      payment_method: 'pm_card_visa',
      idempotency_key: idempotencyKey(),
    };
    try {
      const failed = await expectToolError(agent, 'payment_authorize', args);
      expect(failed).toMatchObject({ code: 'TIMEOUT', retryable: true, details: { outcome: 'recording_pending' } });
      const [op] = await server.db
        .selectFrom('payment_operations')
        .select(['status', 'payment_id'])
        .where('idempotency_key', '=', args.idempotency_key)
        .execute();
      expect(op?.status).toBe('pending');
      const [charge] = await server.sandbox
        .selectFrom('sandbox.charges')
        .select(['id', 'status'])
        .where(sql<string>`metadata ->> 'order_ref'`, '=', order)
        .execute();
      expect(charge?.status).toBe('authorized');
      expect(await expectToolOk<Reconciled>(agent, 'payment_reconcile', { order_ref: order })).toMatchObject({
        in_sync: false,
        pending_operations: 1,
        drift: [{ kind: 'missing_locally', payment_id: op?.payment_id, provider_charge_id: charge?.id, provider: 4400 }],
      });
      // Still failing: the sweep leaves it pending and says so.
      expect((await sweeper.sweep(sweepContext(server.logger))).operations).toMatchObject({ error: 1, recorded: 0 });
    } finally {
      await sql`DROP TRIGGER test_fail_payment_insert ON payments`.execute(server.db);
      await sql`DROP FUNCTION test_fail_payment_insert()`.execute(server.db);
    }
    const report = await sweeper.sweep(sweepContext(server.logger));
    expect(report.operations).toMatchObject({ recorded: 1, error: 0 });
    const reconciled = await expectToolOk<Reconciled>(agent, 'payment_reconcile', { order_ref: order });
    expect(reconciled).toMatchObject({ in_sync: true, pending_operations: 0, payments_checked: 1 });
    const retried = await expectToolOk<{ payment: PaymentOut; replayed: boolean }>(agent, 'payment_authorize', args);
    expect(retried).toMatchObject({ replayed: true, payment: { order_ref: order, status: 'authorized', amount_authorized: 4400 } });
    const charges = await server.sandbox
      .selectFrom('sandbox.charges')
      .select('id')
      .where(sql<string>`metadata ->> 'order_ref'`, '=', order)
      .execute();
    expect(charges).toEqual([{ id: retried.payment.provider_charge_id }]);
  });

  it('the sweep finishes a provider timeout too, before the caller retries', async () => {
    const args = {
      order_ref: newOrderRef(),
      customer_id: newCustomerId(),
      amount: 900,
      currency: 'EUR',
      payment_method: 'pm_card_timeout',
      idempotency_key: idempotencyKey(),
    };
    expect((await expectToolError(agent, 'payment_authorize', args)).code).toBe('TIMEOUT');
    expect((await sweeper.sweep(sweepContext(server.logger))).operations).toMatchObject({ recorded: 1 });
    const retried = await expectToolOk<{ payment: PaymentOut; replayed: boolean }>(agent, 'payment_authorize', args);
    expect(retried.replayed).toBe(true);
    expect(await expectToolOk<Reconciled>(agent, 'payment_reconcile', { order_ref: args.order_ref })).toMatchObject({
      in_sync: true,
      provider_charges_checked: 1,
    });
  });

  it('an operation that never reached the provider is removed, its limit reservation released, and its key usable again', async () => {
    const customer = newCustomerId();
    const input = {
      order_ref: newOrderRef(),
      customer_id: customer,
      amount: 650,
      currency: 'EUR' as const,
      payment_method: 'pm_card_slow',
      idempotency_key: idempotencyKey(),
    };
    const usage = async () =>
      Number(
        (await sql<{ n: string }>`SELECT coalesce(sum(amount), 0) AS n FROM payment_limit_usage WHERE principal_id = 'agent-cancelled'`.execute(server.db))
          .rows[0]?.n,
      );
    // The caller gives up once its operation is claimed, while the (slow) provider has not acted yet: aborting on a
    // wall-clock timer instead could fire before the claim on a loaded machine and test another path.
    const caller = new AbortController();
    const call = server.domain.payments.authorize(input, staffContext('agent-cancelled', caller.signal));
    const claimed = async () => (await server.db.selectFrom('payment_operations').select('id').where('principal_id', '=', 'agent-cancelled').execute()).length;
    await expect.poll(claimed, { timeout: 2500, interval: 10 }).toBe(1);
    caller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    await expect(call).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(await usage()).toBe(650);
    expect((await sweeper.sweep(sweepContext(server.logger))).operations).toMatchObject({ abandoned: 1 });
    expect(await usage()).toBe(0);
    expect(await server.db.selectFrom('payment_operations').select('id').where('principal_id', '=', 'agent-cancelled').execute()).toEqual([]);
    const again = await server.domain.payments.authorize(input, staffContext('agent-cancelled'));
    expect(again).toMatchObject({ replayed: false, payment: { status: 'authorized', amount_authorized: 650 } });
    expect(await usage()).toBe(650);
  });
});

describe('reconciling a time window', () => {
  it('finds exactly the injected drift among everything this file did', async () => {
    const result = await expectToolOk<Reconciled & { scope: Record<string, unknown> }>(agent, 'payment_reconcile', { from: started.toISOString() });
    expect(result.drift).toEqual(injected);
    expect(result).toMatchObject({ in_sync: false, pending_operations: 0, truncated: false, scope: { order_ref: null, from: started.toISOString() } });
    expect(result.payments_checked).toBe(7);
  });

  it('keeps every ledger transaction balanced, the injected one included', async () => {
    const totals = await ledgerTotals(server.db);
    expect(totals.unbalanced).toBe(0);
    expect(totals.debits).toBe(totals.credits);
  });
});
