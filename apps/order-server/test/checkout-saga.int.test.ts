import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolContract } from '@mcpfed/contract-common';
import { inTransaction, newId, sql } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import { createLogger } from '@mcpfed/telemetry';
import { createTestDatabase, idempotencyKey } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { orderMigrations } from '../migrations/index.ts';
import { CheckoutSaga } from '../src/service/checkout-saga.ts';
import { OrderChanges } from '../src/service/order-changes.ts';
import type { UpstreamClient, Upstreams } from '../src/service/upstreams.ts';
import type { OrderDatabase } from '../src/store/order-database.ts';
import { OrderStore } from '../src/store/order-store.ts';
import { SagaStore } from '../src/store/saga-store.ts';
import { CallerTokenStore } from '../src/store/caller-token-store.ts';
import { createTokenSealer } from '../src/service/token-sealer.ts';
import { UpstreamIdentity } from '../src/service/upstream-identity.ts';
import { randomBytes } from 'node:crypto';

// The saga against its own interface boundary: hand-written upstreams that record every call and fail on cue,
// over a real order database. The end-to-end tests run it against the real servers.

const CUS = 'cus_01j9z3k8q4m2n6p7r8s9t0v1w2';
const PAY = 'pay_01j9z3k8q4m2n6p7r8s9t0v1w2';
const RSV = 'rsv_01j9z3k8q4m2n6p7r8s9t0v1w2';

interface Call {
  tool: string;
  key: string | undefined;
  subjectToken: string | undefined;
  traceparent: string | undefined;
}

/** Upstreams that answer like healthy servers unless `failures` names a tool (then it throws that, once per entry). */
function fakeUpstreams(failures: Map<string, AppError[]>, calls: Call[]): Upstreams {
  let captured = false;
  let voided = false;
  const answer = (tool: string, input: Record<string, unknown>): unknown => {
    switch (tool) {
      case 'customer_check_eligibility':
        return { customer_id: CUS, eligible: true, status: 'active', reasons: [], shipping_address_id: null };
      case 'inventory_reserve':
        return {
          reservation: {
            id: RSV,
            order_reference: input['order_reference'],
            status: 'active',
            lines: [
              { sku: 'SKU-1', location: 'BER-1', quantity: 2, unit_price: { amount: 450, currency: 'EUR' }, line_total: { amount: 900, currency: 'EUR' } },
            ],
            total: { amount: 900, currency: 'EUR' },
          },
          replayed: false,
        };
      case 'payment_authorize':
        return { payment: { id: PAY, amount_authorized: input['amount'], amount_captured: 0 }, replayed: false };
      case 'payment_capture':
        captured = true;
        return { payment: { id: PAY, amount_authorized: 900, amount_captured: 900 }, replayed: false };
      case 'payment_search':
        return {
          items: voided ? [] : [{ id: PAY, status: captured ? 'captured' : 'authorized', amount_refundable: captured ? 900 : 0, currency: 'EUR' }],
          next_cursor: null,
        };
      case 'payment_void':
        voided = true;
        return { payment: { id: PAY }, replayed: false };
      default:
        return { reservation: { id: RSV }, changed: true, replayed: false };
    }
  };
  const client: UpstreamClient = {
    async call(tool: ToolContract, input: unknown, context) {
      const args = input as Record<string, unknown>;
      calls.push({
        tool: tool.name,
        key: args['idempotency_key'] as string | undefined,
        subjectToken: context?.subjectToken,
        traceparent: context?.traceparent,
      });
      const failure = failures.get(tool.name)?.shift();
      if (failure !== undefined) throw failure;
      return answer(tool.name, args) as never;
    },
  };
  return { customer: client, product: client, payment: client };
}

let tdb: TestDatabase<OrderDatabase>;
const SIGNAL = new AbortController().signal;
/** The context of the test's own reads and writes, and of every saga run (a job's: never aborted here). */
const job = { signal: SIGNAL };
const orders = () => new OrderStore(tdb.db, SIGNAL);
const sagas = () => new SagaStore(tdb.db, SIGNAL);
const callerTokens = () => new CallerTokenStore(tdb.db, SIGNAL);
const changes = new OrderChanges();
const identity = new UpstreamIdentity({ mode: 'exchange', sealer: createTokenSealer(randomBytes(32)) });
/** The (opaque, for these fake upstreams) access token alice placed her orders with. */
const ALICE_TOKEN = 'token-of-alice';
// The saga's log lines as pino writes them (JSON), to check what an operator sees at LOG_LEVEL=info.
const logLines: Array<Record<string, unknown>> = [];
const logger = createLogger({
  name: 'saga-test',
  level: 'info',
  destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
});
// An order's lines without pino's bookkeeping (time, pid, hostname, name).
const logsOf = (orderId: string): Array<Record<string, unknown>> =>
  logLines
    .filter((line) => line['order_id'] === orderId)
    .map((line) => Object.fromEntries(Object.entries(line).filter(([key]) => !['time', 'pid', 'hostname', 'name'].includes(key))));
const ALL_STEPS = ['check_eligibility', 'reserve_inventory', 'authorize_payment', 'confirm_order', 'capture_payment', 'commit_inventory'];

beforeAll(async () => {
  tdb = await createTestDatabase<OrderDatabase>({ name: 'order_saga', migrations: orderMigrations });
});

afterAll(async () => {
  await tdb?.drop();
});

/** A pending order placed by alice with her token valid for `tokenTtlSeconds` more (default an hour; negative: expired). */
async function newOrder(tokenTtlSeconds = 3600): Promise<string> {
  const id = newId('ord');
  await inTransaction(tdb.db, async (trx) => {
    await new OrderStore(trx, SIGNAL).insert({
      id,
      principalId: 'alice',
      idempotencyKey: idempotencyKey(),
      requestHash: 'h',
      customerId: CUS,
      captureMode: 'immediate',
      currency: 'EUR',
      shippingAddressId: null,
      paymentMethod: 'pm_card_visa',
      lines: [{ sku: 'SKU-1', quantity: 2, unitPrice: 400 }],
    });
    await new SagaStore(trx, SIGNAL).create(id, 'check_eligibility');
    await identity.keep(trx, id, {
      principal: {
        id: 'alice',
        subject: 'alice',
        scopes: new Set(),
        kind: 'user',
        token: ALICE_TOKEN,
        expiresAt: Math.floor(Date.now() / 1000) + tokenTtlSeconds,
      },
      signal: SIGNAL,
    });
    await changes.placed(trx, await new OrderStore(trx, SIGNAL).get(id), job);
  });
  return id;
}

function sagaWith(failures: Map<string, AppError[]>, calls: Call[]): CheckoutSaga {
  return new CheckoutSaga({ db: tdb.db, changes, upstreams: fakeUpstreams(failures, calls), identity, reservationTtlSeconds: 900, logger });
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const run = (finalAttempt: boolean) => ({ finalAttempt, traceparent: TRACEPARENT });
const unavailable = () => new AppError('UPSTREAM_UNAVAILABLE', 'payment is down');
const eventTypes = async (orderId: string) =>
  (await sql<{ type: string }>`SELECT type FROM order_events WHERE order_id = ${orderId} ORDER BY sequence`.execute(tdb.db)).rows.map((r) => r.type);

describe('CheckoutSaga', () => {
  it('finishes compensation as the order server once the caller token lapsed mid-way', async () => {
    const id = await newOrder(35);
    const calls: Call[] = [];
    const saga = sagaWith(new Map([['payment_authorize', [unavailable()]]]), calls);
    await expect(saga.run(id, run(false), job)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    // The token is now within the 30 s margin of its expiry: the rest of the run may not use it.
    await tdb.db
      .updateTable('checkout_caller_tokens')
      .set({ expires_at: new Date(Date.now() + 5_000) })
      .where('order_id', '=', id)
      .execute();
    expect(await saga.run(id, run(false), job)).toBe('failed');
    expect(calls.map((c) => [c.tool, c.subjectToken])).toEqual([
      ['customer_check_eligibility', ALICE_TOKEN],
      ['inventory_reserve', ALICE_TOKEN],
      ['payment_authorize', ALICE_TOKEN],
      ['payment_void', undefined],
      ['payment_search', undefined],
      ['inventory_release', undefined],
    ]);
  });

  it("drops the tokens ended checkouts left behind (a crash before forget), never a running checkout's, expired or not", async () => {
    const ended = await newOrder();
    const running = await newOrder(-60);
    // The process died after the saga's last write and before it dropped the token.
    await sql`UPDATE checkout_sagas SET status = 'failed', finished_at = now() WHERE order_id = ${ended}`.execute(tdb.db);
    await identity.forgetEnded(tdb.db, 1000, job);
    expect(await callerTokens().find(ended)).toBeUndefined();
    expect(await callerTokens().find(running)).toBeDefined();
    // Its row still tells a run that the caller's token lapsed, not that there was none.
    expect(await identity.forCheckout(tdb.db, running, job)).toEqual({ kind: 'lapsed' });
  });

  it('keeps the caller token sealed while the checkout runs: the row holds no readable token', async () => {
    const id = await newOrder();
    const stored = await callerTokens().find(id);
    expect(stored?.sealed).toMatch(/^v1\./);
    expect(stored?.sealed).not.toContain(ALICE_TOKEN);
    expect(await identity.forCheckout(tdb.db, id, job)).toEqual({ kind: 'caller', subjectToken: ALICE_TOKEN });
    // The sealed value belongs to its order: moved to another order's row it opens to nothing.
    const other = await newOrder();
    await tdb.db
      .updateTable('checkout_caller_tokens')
      .set({ sealed: stored?.sealed as string })
      .where('order_id', '=', other)
      .execute();
    expect(await identity.forCheckout(tdb.db, other, job)).toEqual({ kind: 'lapsed' });
  });

  it('does not go on in the name of a caller whose token lapsed: it compensates as the order server and fails the order', async () => {
    const id = await newOrder(10);
    const calls: Call[] = [];
    expect(await sagaWith(new Map(), calls).run(id, run(false), job)).toBe('failed');
    // No step ran in alice's name (nothing was held, so nothing needed releasing).
    expect(calls).toEqual([]);
    const order = await orders().get(id);
    expect([order.status, order.failure_reason]).toEqual(['failed', 'internal']);
    expect(order.failure_message).toMatch(/access token expired before the checkout could finish/);
    expect(await callerTokens().find(id)).toBeUndefined();
  });

  it('resumes from the persisted step after a transient failure, repeating no finished step, every key checkout:<id>:<step>', async () => {
    const id = await newOrder();
    const calls: Call[] = [];
    const saga = sagaWith(new Map([['payment_capture', [unavailable()]]]), calls);
    await expect(saga.run(id, run(false), job)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const halfway = await sagas().get(id);
    expect([halfway.status, halfway.step, halfway.last_error?.code]).toEqual(['running', 'capture_payment', 'UPSTREAM_UNAVAILABLE']);
    expect((await orders().get(id)).status).toBe('confirmed');

    expect(await saga.run(id, run(false), job)).toBe('completed');
    expect(calls.map((c) => [c.tool, c.key])).toEqual([
      ['customer_check_eligibility', undefined],
      ['inventory_reserve', `checkout:${id}:reserve_inventory`],
      ['payment_authorize', `checkout:${id}:authorize_payment`],
      ['payment_capture', `checkout:${id}:capture_payment`],
      ['payment_capture', `checkout:${id}:capture_payment`],
      ['inventory_commit', `checkout:${id}:commit_inventory`],
    ]);
    // Every call carries alice's token, to exchange per upstream; none goes as the order server itself.
    expect(new Set(calls.map((c) => c.subjectToken))).toEqual(new Set([ALICE_TOKEN]));
    // Sealed at rest, and gone once the checkout ended.
    expect(await callerTokens().find(id)).toBeUndefined();
    expect(new Set(calls.map((c) => c.traceparent))).toEqual(new Set([TRACEPARENT]));
    const order = await orders().get(id);
    // The reservation's prices replace the looked-up ones: 2 x 450, not 2 x 400.
    expect([order.status, order.total_amount, order.amount_authorized, order.amount_captured, order.payment_id]).toEqual([
      'confirmed',
      '900',
      '900',
      '900',
      PAY,
    ]);
    const done = await sagas().get(id);
    expect([done.status, done.attempts, done.completed_steps.length]).toEqual(['completed', 2, 6]);
    expect(await eventTypes(id)).toEqual(['order.placed', 'order.confirmed']);
    expect(await saga.run(id, run(false), job)).toBe('finished_before');

    // A warning for the retried step, then one line for the end: ids, money, steps, time, attempt; no personal data.
    expect(logsOf(id)).toEqual([
      {
        level: 'warn',
        msg: 'checkout step failed transiently; the job retries',
        order_id: id,
        step: 'capture_payment',
        code: 'UPSTREAM_UNAVAILABLE',
        attempt: 1,
      },
      {
        level: 'info',
        msg: 'checkout confirmed',
        order_id: id,
        order_number: order.order_number,
        customer_id: CUS,
        status: 'confirmed',
        total_amount: 900,
        currency: 'EUR',
        steps: ALL_STEPS,
        duration_ms: expect.any(Number) as number,
        attempt: 2,
      },
    ]);
  });

  it('compensates on the final attempt: voids the authorization it finds by order reference, releases the stock, fails the order', async () => {
    const id = await newOrder();
    const calls: Call[] = [];
    const saga = sagaWith(new Map([['payment_capture', [unavailable()]]]), calls);
    expect(await saga.run(id, run(true), job)).toBe('failed');
    expect(calls.slice(-3).map((c) => [c.tool, c.key])).toEqual([
      ['payment_search', undefined],
      ['payment_void', `checkout:${id}:void_payment`],
      ['inventory_release', `checkout:${id}:release_inventory`],
    ]);
    const order = await orders().get(id);
    expect([order.status, order.failure_reason, order.amount_captured]).toEqual(['failed', 'upstream_unavailable', '0']);
    expect(await eventTypes(id)).toEqual(['order.placed', 'order.confirmed', 'order.failed']);
    expect(logsOf(id)).toEqual([
      {
        level: 'info',
        msg: 'checkout compensating: releasing payment and stock',
        order_id: id,
        failed_step: 'capture_payment',
        failure_reason: 'upstream_unavailable',
        code: 'UPSTREAM_UNAVAILABLE',
        attempt: 1,
      },
      {
        level: 'info',
        msg: 'checkout failed',
        order_id: id,
        order_number: order.order_number,
        customer_id: CUS,
        status: 'failed',
        failure_reason: 'upstream_unavailable',
        total_amount: 900,
        currency: 'EUR',
        steps: [...ALL_STEPS.slice(0, 4), 'void_payment', 'release_inventory'],
        duration_ms: expect.any(Number) as number,
        attempt: 1,
      },
    ]);
  });

  it('fails a declined payment at once, releasing the stock, and stays compensating while the release cannot reach the product server', async () => {
    const id = await newOrder();
    const calls: Call[] = [];
    const failures = new Map([
      ['payment_authorize', [new AppError('PAYMENT_DECLINED', 'declined')]],
      ['inventory_release', [unavailable()]],
    ]);
    const saga = sagaWith(failures, calls);
    await expect(saga.run(id, run(false), job)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const stuck = await sagas().get(id);
    expect([stuck.status, stuck.failure_reason, (await orders().get(id)).status]).toEqual(['compensating', 'payment_declined', 'pending']);
    expect(await saga.run(id, run(false), job)).toBe('failed');
    const order = await orders().get(id);
    expect([order.status, order.failure_reason]).toEqual(['failed', 'payment_declined']);
    expect(calls.filter((c) => c.tool === 'payment_capture')).toEqual([]);
    expect(calls.filter((c) => c.tool === 'inventory_release')).toHaveLength(2);
    expect(await eventTypes(id)).toEqual(['order.placed', 'order.failed']);
    expect(
      logsOf(id).map(({ level, msg, step, failed_step, failure_reason, code, attempt }) => ({ level, msg, step, failed_step, failure_reason, code, attempt })),
    ).toEqual([
      {
        level: 'info',
        msg: 'checkout compensating: releasing payment and stock',
        step: undefined,
        failed_step: 'authorize_payment',
        failure_reason: 'payment_declined',
        code: 'PAYMENT_DECLINED',
        attempt: 1,
      },
      {
        level: 'warn',
        msg: 'checkout compensation failed transiently; the job retries',
        step: 'release_inventory',
        failed_step: undefined,
        failure_reason: undefined,
        code: 'UPSTREAM_UNAVAILABLE',
        attempt: 1,
      },
      { level: 'info', msg: 'checkout failed', step: undefined, failed_step: undefined, failure_reason: 'payment_declined', code: undefined, attempt: 2 },
    ]);
  });

  it('keeps a cancel that commits between the failed step and its record: the checkout ends cancelled, compensated the same', async () => {
    const id = await newOrder();
    const calls: Call[] = [];
    // The store as it is, except that right after the worker reads its row following the declined authorization, a
    // tasks/cancel commits (on its own connection, as another replica's would): the worker read `running`.
    let cancelAfterRead = false;
    class RacingSagaStore extends SagaStore {
      override async get(orderId: string, options?: { forUpdate?: boolean }) {
        const row = await super.get(orderId, options);
        if (cancelAfterRead) {
          cancelAfterRead = false;
          expect(await sagas().cancel(orderId, ['authorize_payment'], 'cancelled by the caller')).toBeDefined();
        }
        return row;
      }
    }
    const upstreams = fakeUpstreams(new Map([['payment_authorize', [new AppError('PAYMENT_DECLINED', 'declined')]]]), calls);
    const declining = {
      ...upstreams,
      payment: {
        call: (async (tool, input, context) => {
          if (tool.name === 'payment_authorize') cancelAfterRead = true;
          return upstreams.payment.call(tool, input, context);
        }) as UpstreamClient['call'],
      },
    };
    const saga = new CheckoutSaga({
      db: tdb.db,
      changes,
      upstreams: declining,
      identity,
      reservationTtlSeconds: 900,
      logger,
      sagaStore: (db, signal) => new RacingSagaStore(db, signal),
    });
    expect(await saga.run(id, run(false), job)).toBe('failed');
    expect(cancelAfterRead).toBe(false);
    const ended = await sagas().get(id);
    expect([ended.status, ended.failure_reason, ended.failure_message]).toEqual(['failed', 'cancelled', 'cancelled by the caller']);
    expect(ended.completed_steps).toEqual(['check_eligibility', 'reserve_inventory', 'void_payment', 'release_inventory']);
    const order = await orders().get(id);
    expect([order.status, order.failure_reason, order.amount_captured]).toEqual(['failed', 'cancelled', '0']);
    // The same compensation as any failure after reserving: the authorization looked up and voided, the stock released.
    expect(calls.map((c) => c.tool)).toEqual([
      'customer_check_eligibility',
      'inventory_reserve',
      'payment_authorize',
      'payment_void',
      'payment_search',
      'inventory_release',
    ]);
    expect(await eventTypes(id)).toEqual(['order.placed', 'order.failed']);
    // The worker's own failure was never recorded, so no line claims it compensates for a decline.
    expect(logsOf(id).map((line) => [line['msg'], line['failure_reason']])).toEqual([['checkout failed', 'cancelled']]);
  });

  it('records each step once when two runs race (a stalled job taken over)', async () => {
    const id = await newOrder();
    const calls: Call[] = [];
    const saga = sagaWith(new Map(), calls);
    const outcomes = await Promise.all([saga.run(id, run(false), job), saga.run(id, run(false), job)]);
    expect(outcomes).toContain('completed');
    const done = await sagas().get(id);
    expect(done.status).toBe('completed');
    expect(done.completed_steps).toEqual([
      'check_eligibility',
      'reserve_inventory',
      'authorize_payment',
      'confirm_order',
      'capture_payment',
      'commit_inventory',
    ]);
    expect(await eventTypes(id)).toEqual(['order.placed', 'order.confirmed']);
    // Repeated remote calls carry the same key, so the upstream answers them once.
    const keys = calls.filter((c) => c.tool === 'payment_capture').map((c) => c.key);
    expect(new Set(keys)).toEqual(new Set([`checkout:${id}:capture_payment`]));
    // The end is reported once, by the run that recorded it.
    expect(logsOf(id).map((line) => line['msg'])).toEqual(['checkout confirmed']);
  });
});
