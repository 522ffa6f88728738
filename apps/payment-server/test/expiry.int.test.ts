import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from '@mcpfed/queue';
import { createLogger } from '@mcpfed/telemetry';
import type { WorkerHandle } from '@mcpfed/queue';
import { createTestRedis, expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import type { TestRedis } from '@mcpfed/testing';
import { createExpiryScheduler, expiryJobId, startExpiryWorker } from '../src/jobs/authorization-expiry.ts';
import { ALL_SCOPES, newCustomerId, newOrderRef, startTestPaymentServer, sweepContext } from './fixtures.ts';
import type { PaymentOut, TestPaymentServer } from './fixtures.ts';

// Long enough that authorize-then-capture never races the expiry, even on a loaded machine.
const TTL_MS = 3000;

let redis: TestRedis;
let prefix: string;
let server: TestPaymentServer;
let agent: Client;
let scheduler: ReturnType<typeof createExpiryScheduler>;
let worker: WorkerHandle;
const connections: Redis[] = [];

beforeAll(async () => {
  redis = await createTestRedis({ label: 'payment-expiry' });
  prefix = redis.prefix.replace(/:$/, '');
  const connection = (name: string): Redis => {
    const c = createRedisConnection({ url: redis.url, name, logger: createLogger({ name: 'payment-expiry-test', level: 'silent' }) });
    connections.push(c);
    return c;
  };
  scheduler = createExpiryScheduler({ connection: connection('expiry-queue'), prefix });
  server = await startTestPaymentServer({ authorizationTtlMs: TTL_MS, expiry: scheduler });
  worker = startExpiryWorker({ connection: connection('expiry-worker'), prefix, payments: server.domain.payments, logger: server.logger });
  agent = await server.connect(ALL_SCOPES, 'agent-expiry');
});

afterAll(async () => {
  await worker?.close();
  await scheduler?.queue.obliterate({ force: true }).catch(() => undefined);
  await scheduler?.close();
  for (const c of connections) c.disconnect();
  await server?.close();
  await redis?.cleanup();
});

async function authorize(amount = 1000): Promise<PaymentOut> {
  const out = await expectToolOk<{ payment: PaymentOut }>(agent, 'payment_authorize', {
    order_ref: newOrderRef(),
    customer_id: newCustomerId(),
    amount,
    currency: 'EUR',
    payment_method: 'pm_card_visa',
    idempotency_key: idempotencyKey(),
  });
  return out.payment;
}

async function jobOutcome(paymentId: string, timeoutMs = 10_000): Promise<{ state: string; value: unknown }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await scheduler.queue.getJob(expiryJobId(paymentId));
    const state = (await job?.getState()) ?? 'missing';
    if (state === 'completed' || state === 'failed' || Date.now() > deadline) {
      // Read the job again: the copy fetched above may predate the completion that getState() then saw.
      const finished = await scheduler.queue.getJob(expiryJobId(paymentId));
      return { state, value: finished?.returnvalue };
    }
    await sleep(100);
  }
}

describe('authorization expiry (delayed job per authorization)', () => {
  it('schedules expire-<payment_id> at the expiry and voids the uncaptured authorization then', async () => {
    const payment = await authorize(1300);
    const job = await scheduler.queue.getJob(expiryJobId(payment.id));
    expect(await job?.getState()).toBe('delayed');
    expect(job?.data).toEqual({ payment_id: payment.id });
    expect(await jobOutcome(payment.id)).toEqual({ state: 'completed', value: 'voided' });
    const after = await expectToolOk<PaymentOut>(agent, 'payment_get', { payment_id: payment.id });
    expect(after).toMatchObject({ status: 'voided', void_reason: 'expired', expires_at: null, amount_captured: 0 });
    const kinds = await server.db.selectFrom('ledger_transactions').select('kind').where('payment_id', '=', payment.id).orderBy('posted_at').execute();
    expect(kinds).toEqual([{ kind: 'authorization' }, { kind: 'expiry' }]);
    const [charge] = await server.sandbox.selectFrom('sandbox.charges').select('status').where('id', '=', payment.provider_charge_id).execute();
    expect(charge).toEqual({ status: 'voided' });
    const capture = await expectToolError(agent, 'payment_capture', { payment_id: payment.id, idempotency_key: idempotencyKey() });
    expect(capture.code).toBe('PRECONDITION_FAILED');
    expect(capture.message).toContain('expired');
    expect(await expectToolOk(agent, 'payment_reconcile', { order_ref: payment.order_ref })).toMatchObject({ in_sync: true });
  });

  it('is a no-op for a payment captured or voided before its expiry', async () => {
    const captured = await authorize(800);
    const voided = await authorize(900);
    await expectToolOk(agent, 'payment_capture', { payment_id: captured.id, idempotency_key: idempotencyKey() });
    await expectToolOk(agent, 'payment_void', { payment_id: voided.id, idempotency_key: idempotencyKey() });
    // Run both jobs now instead of at their expiry: what they find is what matters here.
    for (const id of [captured.id, voided.id]) await (await scheduler.queue.getJob(expiryJobId(id)))?.promote();
    expect(await jobOutcome(captured.id)).toEqual({ state: 'completed', value: 'not_authorized' });
    expect(await jobOutcome(voided.id)).toEqual({ state: 'completed', value: 'not_authorized' });
    expect(await expectToolOk(agent, 'payment_get', { payment_id: captured.id })).toMatchObject({ status: 'captured', amount_captured: 800 });
    expect(await expectToolOk(agent, 'payment_get', { payment_id: voided.id })).toMatchObject({ status: 'voided', void_reason: 'requested' });
    const voids = await server.db
      .selectFrom('ledger_transactions')
      .select('kind')
      .where('payment_id', 'in', [captured.id, voided.id])
      .where('kind', 'in', ['void', 'expiry'])
      .execute();
    expect(voids).toEqual([{ kind: 'void' }]);
  });

  it('is voided by the sweep when its job was lost', async () => {
    const payment = await authorize(700);
    await (await scheduler.queue.getJob(expiryJobId(payment.id)))?.remove();
    await sleep(TTL_MS + 200);
    const report = await server.domain.reconciliation.sweep(sweepContext(server.logger));
    expect(report.expirations.voided).toBe(1);
    expect(await expectToolOk(agent, 'payment_get', { payment_id: payment.id })).toMatchObject({ status: 'voided', void_reason: 'expired' });
    expect((await server.domain.reconciliation.sweep(sweepContext(server.logger))).expirations.voided).toBe(0);
  });
});
