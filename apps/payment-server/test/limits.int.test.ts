import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import type { ToolErrorPayload } from '@mcpfed/testing';
import { ALL_SCOPES, newCustomerId, newOrderRef, startTestPaymentServer } from './fixtures.ts';
import type { PaymentOut, TestPaymentServer } from './fixtures.ts';

let server: TestPaymentServer;
const clients = new Map<string, Client>();

const LIMITS = {
  maxAuthorizationMinor: 10_000,
  dailyAuthorizationLimitMinor: 25_000,
  maxRefundMinor: 8_000,
  dailyRefundLimitMinor: 12_000,
  refundConfirmThresholdMinor: 5_000,
};

beforeAll(async () => {
  server = await startTestPaymentServer({ limits: LIMITS });
});

afterAll(async () => {
  await server?.close();
});

async function as(principal: string): Promise<Client> {
  let client = clients.get(principal);
  if (client === undefined) {
    client = await server.connect(ALL_SCOPES, principal);
    clients.set(principal, client);
  }
  return client;
}

function authorizeArgs(amount: number, overrides: Record<string, unknown> = {}) {
  return {
    order_ref: newOrderRef(),
    customer_id: newCustomerId(),
    amount,
    currency: 'EUR',
    payment_method: 'pm_card_visa',
    idempotency_key: idempotencyKey(),
    ...overrides,
  };
}

async function capturedPayment(amount: number): Promise<PaymentOut> {
  // A principal per setup payment, so setting up never touches the limits under test.
  const setup = await as(`setup-${idempotencyKey()}`);
  const { payment } = await expectToolOk<{ payment: PaymentOut }>(setup, 'payment_authorize', authorizeArgs(amount));
  return (await expectToolOk<{ payment: PaymentOut }>(setup, 'payment_capture', { payment_id: payment.id, idempotency_key: idempotencyKey() })).payment;
}

describe('authorization limits', () => {
  it('refuses a single authorization above the per-call maximum, storing nothing', async () => {
    const client = await as('limit-a');
    const args = authorizeArgs(10_001);
    const error = await expectToolError(client, 'payment_authorize', args);
    expect(error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      retryable: false,
      details: { limit: 'per_call_authorization', max_minor: 10_000, requested_minor: 10_001 },
    });
    expect(await server.db.selectFrom('payment_operations').select('id').where('idempotency_key', '=', args.idempotency_key).execute()).toEqual([]);
  });

  it('holds each principal to its rolling 24-hour total, per currency', async () => {
    const client = await as('limit-b');
    await expectToolOk(client, 'payment_authorize', authorizeArgs(10_000));
    await expectToolOk(client, 'payment_authorize', authorizeArgs(10_000));
    const over = await expectToolError(client, 'payment_authorize', authorizeArgs(6_000));
    expect(over).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: {
        limit: 'daily_authorization',
        limit_minor: 25_000,
        used_minor: 20_000,
        remaining_minor: 5_000,
        requested_minor: 6_000,
        currency: 'EUR',
        window_hours: 24,
      },
    });
    await expectToolOk(client, 'payment_authorize', authorizeArgs(5_000));
    expect((await expectToolError(client, 'payment_authorize', authorizeArgs(1))).code).toBe('LIMIT_EXCEEDED');
    await expectToolOk(client, 'payment_authorize', authorizeArgs(10_000, { currency: 'USD' }));
    await expectToolOk(await as('limit-b-colleague'), 'payment_authorize', authorizeArgs(10_000));
  });

  it('gives a declined authorization its allowance back', async () => {
    const client = await as('limit-c');
    await expectToolOk(client, 'payment_authorize', authorizeArgs(10_000));
    await expectToolOk(client, 'payment_authorize', authorizeArgs(10_000));
    expect((await expectToolError(client, 'payment_authorize', authorizeArgs(5_000, { payment_method: 'pm_card_insufficient_funds' }))).code).toBe(
      'PAYMENT_DECLINED',
    );
    await expectToolOk(client, 'payment_authorize', authorizeArgs(5_000));
  });

  it('holds under concurrency: 10 concurrent authorizations of 5000 against 25000, exactly 5 pass', async () => {
    const client = await as('limit-d');
    const results = await Promise.all(Array.from({ length: 10 }, () => callTool(client, 'payment_authorize', authorizeArgs(5_000))));
    expect(results.filter((r) => !r.isError)).toHaveLength(5);
    const errors = results.filter((r) => r.isError).map((r) => (r.structuredContent as { error: ToolErrorPayload }).error.code);
    expect(errors).toEqual(Array.from({ length: 5 }, () => 'LIMIT_EXCEEDED'));
  });
});

describe('daily limits of a service acting for callers', () => {
  // The order server's checkout: a token it exchanged for the caller's (`sub` = the caller, `act.sub` = the order
  // server), or, for work done for nobody, its own.
  const throughService = (caller: string | undefined) =>
    server.connectAs(
      caller === undefined
        ? { id: 'order-server', subject: 'order-server', scopes: new Set([...ALL_SCOPES, 'customer:any']), kind: 'service' }
        : { id: caller, subject: caller, scopes: new Set([...ALL_SCOPES, 'customer:any']), kind: 'user', actor: 'order-server', actors: ['order-server'] },
    );

  it('gives every caller its own authorization budget, and still caps each of them', async () => {
    const alice = await throughService('svc-alice');
    const bob = await throughService('svc-bob');
    await expectToolOk(alice, 'payment_authorize', authorizeArgs(10_000));
    await expectToolOk(alice, 'payment_authorize', authorizeArgs(10_000));
    await expectToolOk(alice, 'payment_authorize', authorizeArgs(5_000));
    const capped = await expectToolError(alice, 'payment_authorize', authorizeArgs(1));
    expect(capped).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'daily_authorization', used_minor: 25_000, remaining_minor: 0 } });

    // Bob's checkouts through the same service have his whole budget, and so has the service acting for nobody.
    for (const amount of [10_000, 10_000, 5_000]) await expectToolOk(bob, 'payment_authorize', authorizeArgs(amount));
    expect((await expectToolError(bob, 'payment_authorize', authorizeArgs(1))).details).toMatchObject({ used_minor: 25_000 });
    const alone = await throughService(undefined);
    await expectToolOk(alone, 'payment_authorize', authorizeArgs(10_000));

    const usage = await server.db
      .selectFrom('payment_limit_usage')
      .select(['principal_id', (eb) => eb.fn.sum<string>('amount').as('amount')])
      .where('principal_id', 'in', ['order-server', 'svc-alice', 'svc-bob'])
      .where('kind', '=', 'authorize')
      .groupBy('principal_id')
      .orderBy('principal_id')
      .execute();
    // Each caller's own budget: the one its direct calls use too, not a separate one per service it goes through.
    expect(usage.map((row) => [row.principal_id, Number(row.amount)])).toEqual([
      ['order-server', 10_000],
      ['svc-alice', 25_000],
      ['svc-bob', 25_000],
    ]);
  });

  it('gives a declined authorization back to the caller it was counted for', async () => {
    const carol = await throughService('svc-carol');
    await expectToolOk(carol, 'payment_authorize', authorizeArgs(10_000));
    await expectToolOk(carol, 'payment_authorize', authorizeArgs(10_000));
    expect((await expectToolError(carol, 'payment_authorize', authorizeArgs(5_000, { payment_method: 'pm_card_insufficient_funds' }))).code).toBe(
      'PAYMENT_DECLINED',
    );
    const declined = await server.db
      .selectFrom('payment_operations')
      .select(['principal_id', 'limit_key', 'status'])
      .where('kind', '=', 'authorize')
      .where('status', '=', 'failed')
      .where('limit_key', '=', 'svc-carol')
      .execute();
    expect(declined).toEqual([{ principal_id: 'svc-carol', limit_key: 'svc-carol', status: 'failed' }]);
    await expectToolOk(carol, 'payment_authorize', authorizeArgs(5_000));
    expect((await expectToolError(carol, 'payment_authorize', authorizeArgs(1))).details).toMatchObject({ used_minor: 25_000 });
  });

  it('gives every caller its own refund budget, dry runs and payment_refundable included', async () => {
    const dave = await throughService('svc-dave');
    const erin = await throughService('svc-erin');
    const payments = await Promise.all([10_000, 10_000, 10_000, 10_000].map((amount) => capturedPayment(amount)));
    const refund = (client: Client, paymentId: string, amount: number, extra: Record<string, unknown> = {}) =>
      callTool(client, 'payment_refund', {
        payment_id: paymentId,
        amount,
        currency: 'EUR',
        reason: 'requested_by_customer',
        idempotency_key: idempotencyKey(),
        ...extra,
      });
    const [first, second, third, fourth] = payments.map((payment) => payment.id) as [string, string, string, string];
    for (const [paymentId, amount] of [
      [first, 4_000],
      [first, 4_000],
      [second, 4_000],
    ] as const)
      expect((await refund(dave, paymentId, amount)).isError).toBeUndefined();
    const over = await refund(dave, second, 1);
    expect((over.structuredContent as { error: ToolErrorPayload }).error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'daily_refund', used_minor: 12_000 },
    });
    expect((await expectToolOk(dave, 'payment_refundable', { payment_id: third })) as Record<string, unknown>).toMatchObject({
      daily_refund_used: 12_000,
      max_refund_now: 0,
    });

    expect(await expectToolOk(erin, 'payment_refundable', { payment_id: third })).toMatchObject({ daily_refund_used: 0, max_refund_now: 8_000 });
    expect((await refund(erin, third, 4_000, { dry_run: true })).isError).toBeUndefined();
    for (const [paymentId, amount] of [
      [third, 4_000],
      [third, 4_000],
      [fourth, 4_000],
    ] as const)
      expect((await refund(erin, paymentId, amount)).isError).toBeUndefined();
    expect(((await refund(erin, fourth, 1)).structuredContent as { error: ToolErrorPayload }).error.code).toBe('LIMIT_EXCEEDED');
  });
});

describe('refund limits', () => {
  it('refuses a single refund above the per-call maximum', async () => {
    const payment = await capturedPayment(10_000);
    const error = await expectToolError(await as('refund-a'), 'payment_refund', {
      payment_id: payment.id,
      amount: 8_001,
      currency: 'EUR',
      reason: 'other',
      idempotency_key: idempotencyKey(),
    });
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'per_call_refund', max_minor: 8_000 } });
  });

  it('holds refunds to the rolling 24-hour total of the principal, dry runs included', async () => {
    const client = await as('refund-b');
    const payment = await capturedPayment(10_000);
    const other = await capturedPayment(10_000);
    const refund = (payment_id: string, amount: number, extra: Record<string, unknown> = {}) =>
      callTool(client, 'payment_refund', { payment_id, amount, currency: 'EUR', reason: 'requested_by_customer', idempotency_key: idempotencyKey(), ...extra });
    for (const amount of [4_000, 4_000]) expect((await refund(payment.id, amount)).isError).toBeUndefined();
    expect((await refund(other.id, 4_000)).isError).toBeUndefined();
    const over = await refund(other.id, 1);
    expect((over.structuredContent as { error: ToolErrorPayload }).error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'daily_refund', limit_minor: 12_000, used_minor: 12_000, remaining_minor: 0 },
    });
    const dryRun = await refund(other.id, 1, { dry_run: true });
    expect((dryRun.structuredContent as { error: ToolErrorPayload }).error.code).toBe('LIMIT_EXCEEDED');
    expect(await expectToolOk(client, 'payment_refundable', { payment_id: other.id })).toMatchObject({
      amount_refundable: 6_000,
      daily_refund_used: 12_000,
      max_refund_now: 0,
      refundable: false,
      not_refundable_reason: 'daily_limit_reached',
    });
  });
});

describe('refunds above the approval threshold', () => {
  it('by a person are refused when the server has no approval page, and nothing is refunded', async () => {
    const payment = await capturedPayment(9_000);
    const args = { payment_id: payment.id, amount: 6_000, currency: 'EUR', reason: 'product_not_received', idempotency_key: idempotencyKey() };
    for (const client of [await as('approve-a'), await throughService('approve-b')]) {
      const error = await expectToolError(client, 'payment_refund', args);
      expect(error).toMatchObject({ code: 'FORBIDDEN', details: { approval: 'unavailable' } });
      expect((await expectToolError(client, 'payment_refund', { ...args, dry_run: true })).details).toMatchObject({ approval: 'unavailable' });
    }
    expect(await server.db.selectFrom('refunds').select('id').where('payment_id', '=', payment.id).execute()).toEqual([]);
    expect(await server.db.selectFrom('approvals').select('id').execute()).toEqual([]);
  });

  it("by a service's own token (work done for nobody) and a stdio session are not put to a person", async () => {
    const payment = await capturedPayment(9_000);
    const service = await server.connectAs({ id: 'order-server', subject: 'order-server', scopes: new Set([...ALL_SCOPES, 'customer:any']), kind: 'service' });
    const dry = await expectToolOk<{ requires_approval: boolean; approval?: unknown }>(service, 'payment_refund', {
      payment_id: payment.id,
      amount: 6_000,
      currency: 'EUR',
      reason: 'order_canceled',
      idempotency_key: idempotencyKey(),
      dry_run: true,
    });
    expect(dry).toMatchObject({ requires_approval: false });
    expect(dry.approval).toBeUndefined();
    const done = await expectToolOk<{ refund: { status: string; amount: number }; requires_approval: boolean }>(service, 'payment_refund', {
      payment_id: payment.id,
      amount: 6_000,
      currency: 'EUR',
      reason: 'order_canceled',
      idempotency_key: idempotencyKey(),
    });
    expect(done).toMatchObject({ requires_approval: false, refund: { status: 'succeeded', amount: 6_000 } });
  });

  it("by another service's own token above the threshold is refused: no person stands behind it, and it is not an exempt client", async () => {
    const payment = await capturedPayment(9_000);
    const registered = await server.connectAs({
      id: 'registered-client',
      subject: 'registered-client',
      scopes: new Set([...ALL_SCOPES, 'customer:any']),
      kind: 'service',
    });
    const error = await expectToolError(registered, 'payment_refund', {
      payment_id: payment.id,
      amount: 6_000,
      currency: 'EUR',
      reason: 'order_canceled',
      idempotency_key: idempotencyKey(),
    });
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { approval: 'unavailable' } });
    const after = await expectToolOk<{ amount_refunded: number; refund_count: number }>(registered, 'payment_get', { payment_id: payment.id });
    expect([after.amount_refunded, after.refund_count]).toEqual([0, 0]);
  });

  it('do not apply at or below the threshold', async () => {
    const payment = await capturedPayment(5_000);
    const args = { payment_id: payment.id, amount: 5_000, currency: 'EUR', reason: 'duplicate', idempotency_key: idempotencyKey() };
    const dry = await expectToolOk<{ requires_approval: boolean }>(await as('approve-c'), 'payment_refund', { ...args, dry_run: true });
    expect(dry.requires_approval).toBe(false);
    const done = await expectToolOk<{ refund: { status: string }; requires_approval: boolean; approval?: unknown }>(
      await as('approve-c'),
      'payment_refund',
      args,
    );
    expect(done).toMatchObject({ requires_approval: false, refund: { status: 'succeeded' } });
    expect(done.approval).toBeUndefined();
  });
});

/** A service's token acting for `caller` (the order server's exchanged token): its `sub` is the caller. */
function throughService(caller: string): Promise<Client> {
  return server.connectAs({
    id: caller,
    subject: caller,
    scopes: new Set([...ALL_SCOPES, 'customer:any']),
    kind: 'user',
    actor: 'order-server',
    actors: ['order-server'],
  });
}
