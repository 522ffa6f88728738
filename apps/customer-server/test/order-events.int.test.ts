import { QueueEvents } from 'bullmq';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent, OrderSnapshot } from '@mcpfed/contract-order';
import { createMcpHost } from '@mcpfed/mcp-runtime';
import type { McpHost } from '@mcpfed/mcp-runtime';
import { createQueue, createRedisConnection } from '@mcpfed/queue';
import { createLogger, createMetrics, initTracing } from '@mcpfed/telemetry';
import { connectLinkedClient, createTestDatabase, expectToolOk, randomKeyPrefix, staffPrincipal, testServiceUrl } from '@mcpfed/testing';
import type { LinkedClient, TestDatabase } from '@mcpfed/testing';
import { customerMigrations } from '../migrations/index.ts';
import { CUSTOMER_ORDER_EVENTS_QUEUE, startOrderEventsConsumer } from '../src/jobs/order-events-consumer.ts';
import type { OrderEventsConsumer } from '../src/jobs/order-events-consumer.ts';
import { buildCustomerServer } from '../src/server.ts';
import { PrivacyService } from '../src/service/privacy-service.ts';
import type { CustomerDatabase } from '../src/store/customer-database.ts';
import { PII_CONTEXT, createCustomer } from './fixtures.ts';

const logger = createLogger({ name: 'customer-order-events', level: process.env['MCPFED_TEST_LOGS'] ? 'debug' : 'silent' });
const prefix = randomKeyPrefix('order-events').replace(/:$/, '');
let database: TestDatabase<CustomerDatabase>;
let consumer: OrderEventsConsumer;
let relay: Queue<OrderEvent | Record<string, unknown>>;
let queueEvents: QueueEvents;
const connections: Redis[] = [];

function connection(name: string): Redis {
  const redis = createRedisConnection({ url: testServiceUrl('redisUrl'), name, logger });
  connections.push(redis);
  return redis;
}

beforeAll(async () => {
  database = await createTestDatabase<CustomerDatabase>({ name: 'customer', migrations: customerMigrations });
  consumer = startOrderEventsConsumer({
    db: database.db,
    prefix,
    workerConnection: connection('worker'),
    queueConnection: connection('queue'),
    logger,
    concurrency: 4,
  });
  // Publishes exactly as the order server's outbox relay does: job id = event id, data = the event.
  relay = createQueue({ name: CUSTOMER_ORDER_EVENTS_QUEUE, prefix, connection: connection('relay') });
  // Each job.waitUntilFinished listens on the job's queue until it settles; a test waits for a few dozen at once.
  relay.setMaxListeners(100);
  queueEvents = new QueueEvents(CUSTOMER_ORDER_EVENTS_QUEUE, { connection: connection('events'), prefix });
  await queueEvents.waitUntilReady();
});

afterAll(async () => {
  await consumer?.close();
  await queueEvents?.close();
  await relay?.obliterate({ force: true });
  await relay?.close();
  for (const c of connections) c.disconnect();
  await database?.drop();
});

let sequence = 0;
let orders = 0;

/** An order event carrying `order` as it stands after the change. */
function event(type: OrderEvent['type'], order: Partial<OrderSnapshot> & Pick<OrderSnapshot, 'order_id' | 'customer_id' | 'order_version'>): OrderEvent {
  sequence += 1;
  return {
    id: `evt_test_${process.pid}_${sequence}`,
    sequence,
    type,
    occurred_at: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
    order: { status: 'confirmed', counted: true, total_amount: 1000, net_amount: 1000, currency: 'EUR', placed_at: '2026-01-01T10:00:00.000Z', ...order },
  };
}

const newOrderId = () => `ord_test_${process.pid}_${++orders}`;

/** Publishes events (in the given order) and waits until each job finished; returns the jobs' final states. */
async function publish(events: Array<OrderEvent | Record<string, unknown>>, jobId?: (e: OrderEvent | Record<string, unknown>) => string): Promise<string[]> {
  const jobs: Job[] = await relay.addBulk(
    events.map((e) => ({
      name: String(e['type'] ?? 'order.unknown'),
      data: e,
      opts: { jobId: jobId ? jobId(e) : String(e['id']), attempts: 3, backoff: { type: 'fixed' as const, delay: 20 } },
    })),
  );
  await Promise.all(jobs.map((job) => job.waitUntilFinished(queueEvents, 15_000).catch(() => undefined)));
  return Promise.all(jobs.map(async (job) => (await (await relay.getJob(job.id as string))?.getState()) ?? 'missing'));
}

async function stats(customerId: string) {
  return database.db
    .selectFrom('customer_order_stats')
    .select(['order_count', 'lifetime_value_amount', 'currency', 'last_order_at'])
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
}

async function snapshot(orderId: string) {
  return database.db
    .selectFrom('customer_order_snapshots')
    .select(['customer_id', 'status', 'order_version', 'counted', 'net_amount', 'event_id'])
    .where('order_id', '=', orderId)
    .executeTakeFirst();
}

describe('order events -> customer_order_stats', () => {
  it('keeps the newest snapshot per order whatever the delivery order, and derives the statistics from them', async () => {
    const { id: customerId } = await createCustomer(database.db);
    const first = newOrderId();
    const placed = event('order.placed', {
      order_id: first,
      customer_id: customerId,
      order_version: 1,
      status: 'pending',
      counted: false,
      total_amount: 5000,
      net_amount: 5000,
      placed_at: '2026-02-01T09:00:00.000Z',
    });
    const confirmed = event('order.confirmed', {
      order_id: first,
      customer_id: customerId,
      order_version: 2,
      total_amount: 5000,
      net_amount: 5000,
      placed_at: '2026-02-01T09:00:00.000Z',
    });
    const refunded = event('order.refunded', {
      order_id: first,
      customer_id: customerId,
      order_version: 4,
      status: 'refunded',
      total_amount: 5000,
      net_amount: 3000,
      placed_at: '2026-02-01T09:00:00.000Z',
    });
    // Newest first, then the older ones: they must not win.
    expect(await publish([refunded])).toEqual(['completed']);
    expect(await publish([placed, confirmed])).toEqual(['completed', 'completed']);
    expect(await snapshot(first)).toEqual({
      customer_id: customerId,
      status: 'refunded',
      order_version: 4,
      counted: true,
      net_amount: '3000',
      event_id: refunded.id,
    });
    expect(await stats(customerId)).toEqual({
      order_count: 1,
      lifetime_value_amount: '3000',
      currency: 'EUR',
      last_order_at: new Date('2026-02-01T09:00:00.000Z'),
    });

    const second = newOrderId();
    const failed = newOrderId();
    await publish([
      event('order.confirmed', {
        order_id: second,
        customer_id: customerId,
        order_version: 2,
        total_amount: 2000,
        net_amount: 2000,
        placed_at: '2026-03-05T12:30:00.000Z',
      }),
      // A failed order never counts, even when it is the newest.
      event('order.failed', {
        order_id: failed,
        customer_id: customerId,
        order_version: 3,
        status: 'failed',
        counted: false,
        total_amount: 9900,
        net_amount: 0,
        placed_at: '2026-04-01T00:00:00.000Z',
      }),
    ]);
    expect(await stats(customerId)).toEqual({
      order_count: 2,
      lifetime_value_amount: '5000',
      currency: 'EUR',
      last_order_at: new Date('2026-03-05T12:30:00.000Z'),
    });
  });

  it('counts an event delivered twice once (a republished job id, and a redelivery under a new job id)', async () => {
    const { id: customerId } = await createCustomer(database.db);
    const order = newOrderId();
    const confirmed = event('order.confirmed', { order_id: order, customer_id: customerId, order_version: 2, total_amount: 1500, net_amount: 1500 });
    expect(await publish([confirmed])).toEqual(['completed']);
    expect(await publish([confirmed])).toEqual(['completed']);
    expect(await publish([confirmed], (e) => `${String(e['id'])}-redelivered`)).toEqual(['completed']);
    expect(await stats(customerId)).toEqual({
      order_count: 1,
      lifetime_value_amount: '1500',
      currency: 'EUR',
      last_order_at: new Date('2026-01-01T10:00:00.000Z'),
    });
    expect((await snapshot(order))?.event_id).toBe(confirmed.id);
  });

  it('sums the lifetime value in the currency of most orders and still counts orders in other currencies', async () => {
    const { id: customerId } = await createCustomer(database.db);
    await publish([
      event('order.confirmed', {
        order_id: newOrderId(),
        customer_id: customerId,
        order_version: 2,
        currency: 'USD',
        net_amount: 1000,
        total_amount: 1000,
        placed_at: '2026-01-02T00:00:00.000Z',
      }),
      event('order.confirmed', {
        order_id: newOrderId(),
        customer_id: customerId,
        order_version: 2,
        currency: 'USD',
        net_amount: 2500,
        total_amount: 2500,
        placed_at: '2026-01-03T00:00:00.000Z',
      }),
      event('order.confirmed', {
        order_id: newOrderId(),
        customer_id: customerId,
        order_version: 2,
        currency: 'EUR',
        net_amount: 9000,
        total_amount: 9000,
        placed_at: '2026-01-04T00:00:00.000Z',
      }),
    ]);
    expect(await stats(customerId)).toEqual({
      order_count: 3,
      lifetime_value_amount: '3500',
      currency: 'USD',
      last_order_at: new Date('2026-01-04T00:00:00.000Z'),
    });
  });

  it('applies the events of one customer exactly once each when they arrive concurrently', async () => {
    const { id: customerId } = await createCustomer(database.db);
    const events = Array.from({ length: 24 }, (_, i) =>
      event('order.confirmed', {
        order_id: newOrderId(),
        customer_id: customerId,
        order_version: 2,
        net_amount: 100 + i,
        total_amount: 100 + i,
        placed_at: new Date(Date.UTC(2026, 5, 1, 0, i)).toISOString(),
      }),
    );
    expect(new Set(await publish(events))).toEqual(new Set(['completed']));
    const expected = events.reduce((sum, e) => sum + e.order.net_amount, 0);
    expect(await stats(customerId)).toEqual({
      order_count: 24,
      lifetime_value_amount: String(expected),
      currency: 'EUR',
      last_order_at: new Date(Date.UTC(2026, 5, 1, 0, 23)),
    });
  });

  it('keeps the snapshot of an unknown customer without writing statistics, and keeps counting for an anonymized one', async () => {
    const unknown = 'cus_00000000000000000000000000';
    const order = newOrderId();
    expect(await publish([event('order.confirmed', { order_id: order, customer_id: unknown, order_version: 2 })])).toEqual(['completed']);
    expect((await snapshot(order))?.customer_id).toBe(unknown);
    expect(await stats(unknown)).toBeUndefined();

    const { id: customerId, version } = await createCustomer(database.db);
    await publish([event('order.confirmed', { order_id: newOrderId(), customer_id: customerId, order_version: 2, net_amount: 700, total_amount: 700 })]);
    await new PrivacyService(database.db, PII_CONTEXT).anonymize({ customer_id: customerId, dry_run: false, expected_version: version });
    await publish([event('order.confirmed', { order_id: newOrderId(), customer_id: customerId, order_version: 2, net_amount: 300, total_amount: 300 })]);
    expect(await stats(customerId)).toMatchObject({ order_count: 2, lifetime_value_amount: '1000' });
  });

  it('fails an invalid payload at once, without retry, and changes nothing', async () => {
    const { id: customerId } = await createCustomer(database.db);
    const tables = async () => ({
      snapshots: (await sql`SELECT * FROM customer_order_snapshots ORDER BY order_id`.execute(database.db)).rows,
      stats: (await sql`SELECT * FROM customer_order_stats ORDER BY customer_id`.execute(database.db)).rows,
    });
    const before = await tables();
    const good = event('order.confirmed', { order_id: newOrderId(), customer_id: customerId, order_version: 2 });
    const bad = [
      { id: `evt_bad_${process.pid}_1`, type: 'order.confirmed' },
      { ...good, id: `evt_bad_${process.pid}_2`, order: { ...good.order, net_amount: -5 } },
      { ...good, id: `evt_bad_${process.pid}_3`, type: 'order.exploded' },
      { ...good, id: `evt_bad_${process.pid}_4`, order: { ...good.order, currency: 'euro' } },
    ];
    expect(await publish(bad)).toEqual(['failed', 'failed', 'failed', 'failed']);
    for (const b of bad) {
      const job = await relay.getJob(String(b['id']));
      expect(job?.attemptsMade).toBe(1);
      expect(job?.failedReason).toMatch(/^VALIDATION_FAILED: order event payload is invalid/);
    }
    expect(await tables()).toEqual(before);
  });

  it('shows the statistics in customer_get and the customer_churn_analysis prompt', async () => {
    const { id: customerId } = await createCustomer(database.db);
    await publish([
      event('order.confirmed', {
        order_id: newOrderId(),
        customer_id: customerId,
        order_version: 2,
        net_amount: 4321,
        total_amount: 4321,
        placed_at: '2026-05-06T07:08:09.000Z',
      }),
    ]);
    const host: McpHost<CustomerDatabase> = createMcpHost<CustomerDatabase>({
      name: 'customer-server',
      version: '0.0.0',
      db: database.db,
      ...buildCustomerServer({ sqlPool: database.pool }),
      logger,
      metrics: createMetrics({ service: 'customer-server', collectDefault: false }),
      tracing: initTracing({ serviceName: 'customer-server' }),
    });
    const linked: LinkedClient = await connectLinkedClient(host, staffPrincipal(['customer:read'], 'analyst'));
    try {
      const view = await expectToolOk<{ order_stats: unknown }>(linked.client, 'customer_get', { id: customerId });
      expect(view.order_stats).toEqual({ order_count: 1, lifetime_value: { amount: 4321, currency: 'EUR' }, last_order_at: '2026-05-06T07:08:09.000Z' });
      const prompt = await linked.client.getPrompt({ name: 'customer_churn_analysis', arguments: { customer_id: customerId } });
      const text = (prompt.messages[0]?.content as { text: string }).text;
      expect(text).toContain('"order_count": 1');
      expect(text).toContain('"amount": 4321');
      expect(text).toContain('"last_order_at": "2026-05-06T07:08:09.000Z"');
    } finally {
      await linked.close();
      await host.close();
    }
  });
});
