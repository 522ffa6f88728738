import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentContract } from '@mcpfed/contract-payment';
import { callTool, expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { ALL_SCOPES, ledgerTotals, newCustomerId, newOrderRef, startTestPaymentServer } from './fixtures.ts';
import type { PaymentOut, TestPaymentServer } from './fixtures.ts';

let server: TestPaymentServer;
let admin: Client;
let writer: Client;
let reader: Client;

const SLOW_MS = 300;

beforeAll(async () => {
  server = await startTestPaymentServer({ slowMs: SLOW_MS });
  admin = await server.connect(ALL_SCOPES, 'admin-user');
  writer = await server.connect(['payment:read', 'payment:write'], 'writer-user');
  reader = await server.connect(['payment:read'], 'reader-user');
});

afterAll(async () => {
  await server?.close();
});

async function authorize(client: Client, overrides: Record<string, unknown> = {}): Promise<PaymentOut> {
  const out = await expectToolOk<{ payment: PaymentOut; replayed: boolean }>(client, 'payment_authorize', {
    order_ref: newOrderRef(),
    customer_id: newCustomerId(),
    amount: 2500,
    currency: 'EUR',
    payment_method: 'pm_card_visa',
    idempotency_key: idempotencyKey(),
    ...overrides,
  });
  return out.payment;
}

async function captured(amount = 5000): Promise<PaymentOut> {
  const payment = await authorize(admin, { amount });
  return (await expectToolOk<{ payment: PaymentOut }>(admin, 'payment_capture', { payment_id: payment.id, idempotency_key: idempotencyKey() })).payment;
}

describe('tools/list', () => {
  it('lists every contract tool with all four annotations and strict inputs', async () => {
    const tools = (await admin.listTools()).tools;
    expect(tools.map((t) => t.name).sort()).toEqual(paymentContract.tools.map((t) => t.name).sort());
    for (const tool of tools) {
      expect(tool.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
      expect(Object.keys(tool.annotations ?? {})).toEqual(expect.arrayContaining(['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']));
    }
  });

  it('shows each caller only what its scopes allow', async () => {
    expect((await reader.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'payment_balance_summary',
      'payment_get',
      'payment_method_list',
      'payment_reconcile',
      'payment_refundable',
      'payment_search',
    ]);
    const writerTools = (await writer.listTools()).tools.map((t) => t.name);
    expect(writerTools).toContain('payment_authorize');
    expect(writerTools).not.toContain('payment_refund');
    expect(writerTools).not.toContain('payment_query_sql');
  });

  it('refuses a call without the scopes: FORBIDDEN naming them', async () => {
    const error = await expectToolError(reader, 'payment_authorize', {
      order_ref: 'o-1',
      customer_id: newCustomerId(),
      amount: 1,
      currency: 'EUR',
      payment_method: 'pm_card_visa',
      idempotency_key: idempotencyKey(),
    });
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { missing: ['payment:write'] } });
    const refund = await expectToolError(writer, 'payment_refund', {
      payment_id: 'pay_00000000000000000000000000',
      amount: 1,
      currency: 'EUR',
      reason: 'other',
      idempotency_key: idempotencyKey(),
    });
    expect(refund).toMatchObject({ code: 'FORBIDDEN', details: { missing: ['payment:refund'] } });
  });
});

describe('payment methods', () => {
  it('attaches a sandbox token once per customer and lists it as brand and last4', async () => {
    const customer = newCustomerId();
    const first = await expectToolOk<{ payment_method: Record<string, unknown>; created: boolean }>(writer, 'payment_method_attach', {
      customer_id: customer,
      token: 'pm_card_mastercard',
    });
    expect(first).toMatchObject({
      created: true,
      payment_method: { customer_id: customer, brand: 'mastercard', last4: '4444', exp_month: 12, exp_year: 2034 },
    });
    const again = await expectToolOk<{ payment_method: Record<string, unknown>; created: boolean }>(writer, 'payment_method_attach', {
      customer_id: customer,
      token: 'pm_card_mastercard',
    });
    expect(again).toEqual({ ...first, created: false });
    await expectToolOk(writer, 'payment_method_attach', { customer_id: customer, token: 'pm_card_visa' });
    const page1 = await expectToolOk<{ items: Array<{ last4: string }>; next_cursor: string | null }>(reader, 'payment_method_list', {
      customer_id: customer,
      limit: 1,
    });
    expect(page1.items.map((m) => m.last4)).toEqual(['4242']);
    const page2 = await expectToolOk<{ items: Array<{ last4: string }>; next_cursor: string | null }>(reader, 'payment_method_list', {
      customer_id: customer,
      limit: 1,
      cursor: page1.next_cursor,
    });
    expect(page2).toEqual({ items: [expect.objectContaining({ last4: '4444' })], next_cursor: null });
    expect(JSON.stringify(page2)).not.toContain('pm_card');
    const rows = await server.db.selectFrom('payment_methods').select(['brand']).where('customer_id', '=', customer).execute();
    expect(rows).toHaveLength(2);
  });

  it('refuses a token the sandbox does not know', async () => {
    const error = await expectToolError(writer, 'payment_method_attach', { customer_id: newCustomerId(), token: 'tok_unknown' });
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'token' } });
  });
});

describe('payment_authorize', () => {
  it('authorizes, links the payment, posts the ledger and replays a retry with the same key', async () => {
    const key = idempotencyKey();
    const args = {
      order_ref: newOrderRef(),
      customer_id: newCustomerId(),
      amount: 1999,
      currency: 'EUR',
      payment_method: 'pm_card_visa',
      idempotency_key: key,
    };
    const first = await callTool(writer, 'payment_authorize', args);
    const out = first.structuredContent as { payment: PaymentOut; replayed: boolean };
    expect(out).toMatchObject({
      replayed: false,
      payment: {
        status: 'authorized',
        amount_authorized: 1999,
        amount_captured: 0,
        amount_refundable: 0,
        currency: 'EUR',
        payment_method: { brand: 'visa', last4: '4242' },
      },
    });
    const expires = new Date(out.payment.expires_at as string).getTime() - Date.now();
    expect(expires).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(first.content).toContainEqual(expect.objectContaining({ type: 'resource_link', uri: `payment://${out.payment.id}` }));
    expect(await expectToolOk(writer, 'payment_authorize', args)).toEqual({ ...out, replayed: true });
    // The answer (whose times the database fills in when it stores it) is the payment as it was recorded.
    expect(await expectToolOk(writer, 'payment_get', { payment_id: out.payment.id })).toMatchObject(out.payment);
    const reused = await expectToolError(writer, 'payment_authorize', { ...args, amount: 2000 });
    expect(reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const charges = await server.sandbox
      .selectFrom('sandbox.charges')
      .select('id')
      .where(sql<string>`metadata ->> 'order_ref'`, '=', args.order_ref)
      .execute();
    expect(charges).toEqual([{ id: out.payment.provider_charge_id }]);
    const ledger = await server.db
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
      .select(['t.kind', 'e.account', 'e.direction', 'e.amount'])
      .where('t.payment_id', '=', out.payment.id)
      .orderBy('e.id')
      .execute();
    expect(ledger).toEqual([
      { kind: 'authorization', account: 'customer_funds_held', direction: 'debit', amount: '1999' },
      { kind: 'authorization', account: 'customer_authorizations', direction: 'credit', amount: '1999' },
    ]);
  });

  it('charges an attached method by id, and refuses one of another customer (NOT_FOUND)', async () => {
    const customer = newCustomerId();
    const attached = await expectToolOk<{ payment_method: { id: string } }>(writer, 'payment_method_attach', { customer_id: customer, token: 'pm_card_visa' });
    const payment = await authorize(writer, { customer_id: customer, payment_method: attached.payment_method.id });
    expect(payment.payment_method.id).toBe(attached.payment_method.id);
    const error = await expectToolError(writer, 'payment_authorize', {
      order_ref: newOrderRef(),
      customer_id: newCustomerId(),
      amount: 100,
      currency: 'EUR',
      payment_method: attached.payment_method.id,
      idempotency_key: idempotencyKey(),
    });
    expect(error).toMatchObject({ code: 'NOT_FOUND', details: { payment_method: attached.payment_method.id } });
  });

  it('reports declines with their reason, stores them, and replays the decline for the same key', async () => {
    const args = {
      order_ref: newOrderRef(),
      customer_id: newCustomerId(),
      amount: 700,
      currency: 'EUR',
      payment_method: 'pm_card_declined',
      idempotency_key: idempotencyKey(),
    };
    const declined = await expectToolError(writer, 'payment_authorize', args);
    expect(declined).toMatchObject({ code: 'PAYMENT_DECLINED', retryable: false, details: { decline_code: 'card_declined' } });
    const replay = await expectToolError(writer, 'payment_authorize', args);
    expect(replay).toMatchObject({ code: 'PAYMENT_DECLINED', details: { decline_code: 'card_declined', replayed: true } });
    const insufficient = await expectToolError(writer, 'payment_authorize', {
      ...args,
      payment_method: 'pm_card_insufficient_funds',
      idempotency_key: idempotencyKey(),
    });
    expect(insufficient).toMatchObject({ code: 'PAYMENT_DECLINED', details: { decline_code: 'insufficient_funds' } });
    expect(await server.db.selectFrom('payments').select('id').where('order_ref', '=', args.order_ref).execute()).toEqual([]);
    const ops = await server.db
      .selectFrom('payment_operations')
      .select(['status'])
      .where(sql<boolean>`params @> ${JSON.stringify({ order_ref: args.order_ref })}::jsonb`)
      .execute();
    expect(ops).toEqual([{ status: 'failed' }, { status: 'failed' }]);
    const charges = await server.sandbox
      .selectFrom('sandbox.charges')
      .select(['status', 'decline_code'])
      .where(sql<string>`metadata ->> 'order_ref'`, '=', args.order_ref)
      .orderBy('created_at')
      .execute();
    expect(charges).toEqual([
      { status: 'declined', decline_code: 'card_declined' },
      { status: 'declined', decline_code: 'insufficient_funds' },
    ]);
  });

  it('answers for pm_card_slow after the configured delay', async () => {
    const started = performance.now();
    const payment = await authorize(writer, { payment_method: 'pm_card_slow' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(SLOW_MS - 5);
    expect(payment.status).toBe('authorized');
  });

  it('refuses bad input before anything happens', async () => {
    const base = { order_ref: newOrderRef(), customer_id: newCustomerId(), currency: 'EUR', payment_method: 'pm_card_visa', idempotency_key: idempotencyKey() };
    expect((await expectToolError(writer, 'payment_authorize', { ...base, amount: 10.5 })).code).toBe('VALIDATION_FAILED');
    expect((await expectToolError(writer, 'payment_authorize', { ...base, amount: 100, currency: 'ZZZ' })).code).toBe('VALIDATION_FAILED');
    expect((await expectToolError(writer, 'payment_authorize', { ...base, amount: 100, payment_method: 'pm_card_nonsense' })).code).toBe('VALIDATION_FAILED');
  });
});

describe('payment_capture and payment_void', () => {
  it('captures part of an authorization, releasing the rest, and posts both legs', async () => {
    const payment = await authorize(writer, { amount: 3000 });
    const key = idempotencyKey();
    const out = await expectToolOk<{ payment: PaymentOut; replayed: boolean }>(writer, 'payment_capture', {
      payment_id: payment.id,
      amount: 2000,
      currency: 'EUR',
      idempotency_key: key,
    });
    expect(out).toMatchObject({ replayed: false, payment: { status: 'captured', amount_captured: 2000, amount_refundable: 2000, expires_at: null } });
    expect(await expectToolOk(writer, 'payment_capture', { payment_id: payment.id, amount: 2000, currency: 'EUR', idempotency_key: key })).toEqual({
      ...out,
      replayed: true,
    });
    const entries = await server.db
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
      .select(['e.account', 'e.direction', 'e.amount'])
      .where('t.payment_id', '=', payment.id)
      .where('t.kind', '=', 'capture')
      .orderBy('e.id')
      .execute();
    expect(entries).toEqual([
      { account: 'customer_authorizations', direction: 'debit', amount: '3000' },
      { account: 'customer_funds_held', direction: 'credit', amount: '3000' },
      { account: 'merchant_receivable', direction: 'debit', amount: '2000' },
      { account: 'merchant_revenue', direction: 'credit', amount: '2000' },
    ]);
    const [charge] = await server.sandbox
      .selectFrom('sandbox.charges')
      .select(['status', 'amount_captured'])
      .where('id', '=', payment.provider_charge_id)
      .execute();
    expect(charge).toEqual({ status: 'captured', amount_captured: '2000' });
  });

  it('refuses to capture more than authorized, another currency, twice, or a voided payment', async () => {
    const payment = await authorize(writer, { amount: 1000 });
    const over = await expectToolError(writer, 'payment_capture', { payment_id: payment.id, amount: 1001, currency: 'EUR', idempotency_key: idempotencyKey() });
    expect(over).toMatchObject({ code: 'PRECONDITION_FAILED', details: { amount_authorized: 1000 } });
    const currency = await expectToolError(writer, 'payment_capture', {
      payment_id: payment.id,
      amount: 500,
      currency: 'USD',
      idempotency_key: idempotencyKey(),
    });
    expect(currency).toMatchObject({ code: 'VALIDATION_FAILED', details: { payment_currency: 'EUR' } });
    await expectToolOk(writer, 'payment_capture', { payment_id: payment.id, idempotency_key: idempotencyKey() });
    const twice = await expectToolError(writer, 'payment_capture', { payment_id: payment.id, idempotency_key: idempotencyKey() });
    expect(twice).toMatchObject({ code: 'PRECONDITION_FAILED', details: { status: 'captured' } });
    const voidCaptured = await expectToolError(writer, 'payment_void', { payment_id: payment.id, idempotency_key: idempotencyKey() });
    expect(voidCaptured.code).toBe('PRECONDITION_FAILED');
    expect(voidCaptured.message).toContain('payment_refund');
    const missing = await expectToolError(writer, 'payment_capture', { payment_id: 'pay_00000000000000000000000000', idempotency_key: idempotencyKey() });
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('voids an authorization and then refuses to capture it', async () => {
    const payment = await authorize(writer, { amount: 1200 });
    const key = idempotencyKey();
    const out = await expectToolOk<{ payment: PaymentOut }>(writer, 'payment_void', { payment_id: payment.id, idempotency_key: key });
    expect(out.payment).toMatchObject({ status: 'voided', void_reason: 'requested', expires_at: null, amount_captured: 0 });
    expect(await expectToolOk(writer, 'payment_void', { payment_id: payment.id, idempotency_key: key })).toEqual({ ...out, replayed: true });
    const capture = await expectToolError(writer, 'payment_capture', { payment_id: payment.id, idempotency_key: idempotencyKey() });
    expect(capture).toMatchObject({ code: 'PRECONDITION_FAILED', details: { status: 'voided' } });
    const [charge] = await server.sandbox.selectFrom('sandbox.charges').select('status').where('id', '=', payment.provider_charge_id).execute();
    expect(charge).toEqual({ status: 'voided' });
  });
});

describe('payment_get, payment_search and the payment resource', () => {
  it('reads a payment with its refunds, by tool and by resource', async () => {
    const payment = await captured(4000);
    await expectToolOk(admin, 'payment_refund', {
      payment_id: payment.id,
      amount: 1500,
      currency: 'EUR',
      reason: 'duplicate',
      idempotency_key: idempotencyKey(),
    });
    const detail = await expectToolOk<PaymentOut & { refunds: Array<Record<string, unknown>>; refund_count: number }>(reader, 'payment_get', {
      payment_id: payment.id,
    });
    expect(detail).toMatchObject({ status: 'partially_refunded', amount_refunded: 1500, amount_refundable: 2500, refund_count: 1 });
    expect(detail.refunds).toEqual([expect.objectContaining({ amount: 1500, reason: 'duplicate', status: 'succeeded' })]);
    const resource = await reader.readResource({ uri: `payment://${payment.id}` });
    expect(JSON.parse((resource.contents[0] as { text: string }).text)).toEqual(detail);
    expect((await expectToolError(reader, 'payment_get', { payment_id: 'pay_00000000000000000000000000' })).code).toBe('NOT_FOUND');
    await expect(reader.readResource({ uri: 'payment://nope' })).rejects.toThrow(/No payment resource/);
  });

  it('searches by order, customer and status with keyset pages', async () => {
    const customer = newCustomerId();
    const order = newOrderRef();
    const a = await authorize(writer, { customer_id: customer, order_ref: order, amount: 100 });
    const b = await authorize(writer, { customer_id: customer, order_ref: order, amount: 200 });
    const c = await authorize(writer, { customer_id: customer, amount: 300 });
    await expectToolOk(writer, 'payment_void', { payment_id: c.id, idempotency_key: idempotencyKey() });
    const byOrder = await expectToolOk<{ items: PaymentOut[] }>(reader, 'payment_search', { filter: { order_ref: order } });
    expect(byOrder.items.map((p) => p.id)).toEqual([b.id, a.id]);
    const first = await expectToolOk<{ items: PaymentOut[]; next_cursor: string | null }>(reader, 'payment_search', {
      filter: { customer_id: customer },
      sort: 'created_at_asc',
      limit: 2,
    });
    expect(first.items.map((p) => p.id)).toEqual([a.id, b.id]);
    const second = await expectToolOk<{ items: PaymentOut[]; next_cursor: string | null }>(reader, 'payment_search', {
      filter: { customer_id: customer },
      sort: 'created_at_asc',
      limit: 2,
      cursor: first.next_cursor,
    });
    expect(second).toEqual({ items: [expect.objectContaining({ id: c.id })], next_cursor: null });
    const voided = await expectToolOk<{ items: PaymentOut[] }>(reader, 'payment_search', { filter: { customer_id: customer, status: 'voided' } });
    expect(voided.items.map((p) => p.id)).toEqual([c.id]);
    const mismatched = await expectToolError(reader, 'payment_search', { filter: { customer_id: customer, status: 'authorized' }, cursor: first.next_cursor });
    expect(mismatched).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'cursor' } });
    const badRange = await expectToolError(reader, 'payment_search', { filter: { created_from: '2025-02-01T00:00:00Z', created_to: '2025-01-01T00:00:00Z' } });
    expect(badRange.code).toBe('VALIDATION_FAILED');
  });
});

describe('payment_refundable and payment_refund', () => {
  it('tells what is refundable and why not', async () => {
    const open = await authorize(writer, { amount: 800 });
    expect(await expectToolOk(reader, 'payment_refundable', { payment_id: open.id })).toMatchObject({
      refundable: false,
      not_refundable_reason: 'not_captured',
      amount_refundable: 0,
      max_refund_now: 0,
    });
    const payment = await captured(900);
    expect(await expectToolOk(admin, 'payment_refundable', { payment_id: payment.id })).toEqual({
      payment_id: payment.id,
      currency: 'EUR',
      status: 'captured',
      amount_captured: 900,
      amount_refunded: 0,
      amount_refund_pending: 0,
      amount_refundable: 900,
      refundable: true,
      not_refundable_reason: null,
      confirmation_threshold: 50_000,
      max_refund_per_call: 1_000_000,
      daily_refund_limit: 2_000_000,
      daily_refund_used: expect.any(Number),
      max_refund_now: 900,
    });
    await expectToolOk(admin, 'payment_refund', {
      payment_id: payment.id,
      amount: 900,
      currency: 'EUR',
      reason: 'order_canceled',
      idempotency_key: idempotencyKey(),
    });
    expect(await expectToolOk(admin, 'payment_refundable', { payment_id: payment.id })).toMatchObject({
      status: 'refunded',
      refundable: false,
      not_refundable_reason: 'fully_refunded',
    });
    expect((await expectToolError(reader, 'payment_refundable', { payment_id: 'pay_00000000000000000000000000' })).code).toBe('NOT_FOUND');
  });

  it('refunds in parts up to the captured amount, replays a key and refuses a reused one', async () => {
    const payment = await captured(1000);
    const key = idempotencyKey();
    const args = { payment_id: payment.id, amount: 600, currency: 'EUR', reason: 'requested_by_customer', idempotency_key: key };
    const first = await expectToolOk<{ refund: { id: string; status: string }; payment: PaymentOut; replayed: boolean; amount_refundable_after: number }>(
      admin,
      'payment_refund',
      args,
    );
    expect(first).toMatchObject({
      dry_run: false,
      replayed: false,
      amount_refundable_after: 400,
      refund: { status: 'succeeded', amount: 600 },
      payment: { status: 'partially_refunded' },
    });
    expect(await expectToolOk(admin, 'payment_refund', args)).toEqual({ ...first, replayed: true });
    expect((await expectToolError(admin, 'payment_refund', { ...args, amount: 300 })).code).toBe('IDEMPOTENCY_KEY_REUSED');
    const over = await expectToolError(admin, 'payment_refund', { ...args, amount: 401, idempotency_key: idempotencyKey() });
    expect(over).toMatchObject({ code: 'PRECONDITION_FAILED', details: { amount_refundable: 400, requested: 401 } });
    const last = await expectToolOk<{ payment: PaymentOut }>(admin, 'payment_refund', { ...args, amount: 400, idempotency_key: idempotencyKey() });
    expect(last.payment).toMatchObject({ status: 'refunded', amount_refunded: 1000, amount_refundable: 0 });
    const currency = await expectToolError(admin, 'payment_refund', { ...args, currency: 'USD', idempotency_key: idempotencyKey() });
    expect(currency.code).toBe('VALIDATION_FAILED');
    const uncaptured = await authorize(writer);
    const notCaptured = await expectToolError(admin, 'payment_refund', { ...args, payment_id: uncaptured.id, idempotency_key: idempotencyKey() });
    expect(notCaptured).toMatchObject({ code: 'PRECONDITION_FAILED', details: { status: 'authorized' } });
    const refunds = await server.sandbox
      .selectFrom('sandbox.refunds')
      .select('amount')
      .where('charge_id', '=', payment.provider_charge_id)
      .orderBy('created_at')
      .execute();
    expect(refunds).toEqual([{ amount: '600' }, { amount: '400' }]);
  });
});

describe('payment_reconcile and payment_balance_summary', () => {
  it('finds the books in sync for an order', async () => {
    const order = newOrderRef();
    const payment = await authorize(writer, { order_ref: order, amount: 5000 });
    await expectToolOk(writer, 'payment_capture', { payment_id: payment.id, amount: 4000, currency: 'EUR', idempotency_key: idempotencyKey() });
    await expectToolOk(admin, 'payment_refund', { payment_id: payment.id, amount: 1000, currency: 'EUR', reason: 'other', idempotency_key: idempotencyKey() });
    await authorize(writer, { order_ref: order, amount: 100 });
    expect(await expectToolOk(reader, 'payment_reconcile', { order_ref: order })).toEqual({
      scope: { order_ref: order, from: null, to: null },
      payments_checked: 2,
      provider_charges_checked: 2,
      in_sync: true,
      drift: [],
      pending_operations: 0,
      truncated: false,
    });
    const window = await expectToolError(reader, 'payment_reconcile', { from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' });
    expect(window.code).toBe('VALIDATION_FAILED');
    expect((await expectToolError(reader, 'payment_reconcile', {})).code).toBe('VALIDATION_FAILED');
  });

  it('sums payments by currency and status and the ledger by account', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const a = await authorize(writer, { amount: 1000, currency: 'SEK' });
    await expectToolOk(writer, 'payment_capture', { payment_id: a.id, idempotency_key: idempotencyKey() });
    await expectToolOk(admin, 'payment_refund', { payment_id: a.id, amount: 250, currency: 'SEK', reason: 'other', idempotency_key: idempotencyKey() });
    await authorize(writer, { amount: 400, currency: 'SEK' });
    const summary = await expectToolOk<{ by_status: unknown[]; ledger: unknown[] }>(reader, 'payment_balance_summary', {
      from,
      to: new Date(Date.now() + 1000).toISOString(),
      currency: 'SEK',
    });
    expect(summary.by_status).toEqual([
      { currency: 'SEK', status: 'authorized', count: 1, amount_authorized: 400, amount_captured: 0, amount_refunded: 0 },
      { currency: 'SEK', status: 'partially_refunded', count: 1, amount_authorized: 1000, amount_captured: 1000, amount_refunded: 250 },
    ]);
    expect(summary.ledger).toEqual([
      { currency: 'SEK', account: 'customer_authorizations', debits: 1000, credits: 1400, normal_balance: 'credit', balance: 400 },
      { currency: 'SEK', account: 'customer_funds_held', debits: 1400, credits: 1000, normal_balance: 'debit', balance: 400 },
      { currency: 'SEK', account: 'merchant_receivable', debits: 1000, credits: 250, normal_balance: 'debit', balance: 750 },
      { currency: 'SEK', account: 'merchant_refunds', debits: 250, credits: 0, normal_balance: 'debit', balance: 250 },
      { currency: 'SEK', account: 'merchant_revenue', debits: 0, credits: 1000, normal_balance: 'credit', balance: 1000 },
    ]);
    const bad = await expectToolError(reader, 'payment_balance_summary', { from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' });
    expect(bad.code).toBe('VALIDATION_FAILED');
  });
});

describe('payment_query_sql, policy and schema resources, refund review prompt', () => {
  it('answers SQL over the views without tokens, and refuses base tables', async () => {
    const payment = await captured(1234);
    const result = await expectToolOk<{ rows: unknown[][] }>(admin, 'payment_query_sql', {
      sql: `SELECT status, amount_captured, payment_method_brand, payment_method_last4 FROM analytics_payments WHERE id = '${payment.id}'`,
    });
    expect(result.rows).toEqual([['captured', '1234', 'visa', '4242']]);
    const refused = await expectToolError(admin, 'payment_query_sql', { sql: 'SELECT * FROM payment_operations' });
    expect(refused.code).toBe('VALIDATION_FAILED');
    const sandbox = await expectToolError(admin, 'payment_query_sql', { sql: 'SELECT * FROM sandbox.payment_methods' });
    expect(sandbox.code).toBe('VALIDATION_FAILED');
  });

  it('serves the limits policy and the SQL schema', async () => {
    const policy = JSON.parse(((await reader.readResource({ uri: 'policy://payment/limits' })).contents[0] as { text: string }).text);
    expect(policy).toMatchObject({
      authorization: { max_per_call: 1_000_000, daily_limit: 5_000_000, expires_after_seconds: 604_800 },
      refund: { max_per_call: 1_000_000, daily_limit: 2_000_000, confirmation_threshold: 50_000, approval_valid_seconds: 900 },
    });
    const schema = JSON.parse(((await admin.readResource({ uri: 'schema://payment' })).contents[0] as { text: string }).text);
    expect(schema.views.map((v: { name: string }) => v.name)).toEqual([
      'analytics_payments',
      'analytics_refunds',
      'analytics_ledger_entries',
      'analytics_payment_methods',
    ]);
    await expect(reader.readResource({ uri: 'schema://payment' })).rejects.toThrow(/sql:read/);
  });

  it('preloads a payment into the refund review prompt', async () => {
    const payment = await captured(2222);
    const prompt = await reader.getPrompt({ name: 'payment_refund_review', arguments: { payment_id: payment.id } });
    const text = (prompt.messages[0]?.content as { text: string }).text;
    expect(text).toContain(`payment ${payment.id}`);
    expect(text).toContain('"amount_refundable": 2222');
    expect(text).toContain('"max_refund_now": 2222');
  });
});

describe('ledger', () => {
  it('balances every transaction this file posted', async () => {
    const totals = await ledgerTotals(server.db);
    expect(totals.transactions).toBeGreaterThan(20);
    expect(totals.unbalanced).toBe(0);
    expect(totals.debits).toBe(totals.credits);
  });
});
