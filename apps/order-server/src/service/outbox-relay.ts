import type { Redis } from 'ioredis';
import { orderEventsQueueName } from '@mcpfed/contract-order';
import type { OrderEvent } from '@mcpfed/contract-order';
import type { Kysely } from '@mcpfed/db';
import { inTransaction } from '@mcpfed/db';
import { createQueue } from '@mcpfed/queue';
import type { Queue } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import type { OrderDatabase } from '../store/order-database.ts';
import type { OutboxRecord, OutboxStore } from '../store/outbox-store.ts';

/** How long one batch may wait for Redis before its transaction rolls back and the relay retries, in milliseconds. */
const PUBLISH_TIMEOUT_MS = 5_000;

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`event queue did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Settings of {@link startOutboxRelay}. */
export interface OutboxRelayConfig {
  db: Kysely<OrderDatabase>;
  outbox: OutboxStore;
  connection: Redis;
  /** Key prefix of the event queues (ORDER_EVENTS_PREFIX). */
  prefix: string;
  /** Subscribing domains: one queue `order-events.<domain>` each. */
  subscribers: readonly string[];
  /** Time between polls when idle, in milliseconds. */
  intervalMs: number;
  /** Events per batch. Default 200. */
  batch?: number;
  logger: Logger;
}

/** What one relay pass did. */
export interface RelayPass {
  /** Events given their feed position. */
  positioned: number;
  /** Events handed to the subscribers' queues. */
  published: number;
}

/** A running relay. */
export interface OutboxRelay {
  /** Positions and publishes what is pending now. */
  drain(): Promise<RelayPass>;
  stop(): Promise<void>;
}

/** The event as the contract publishes it. */
export function toOrderEvent(row: OutboxRecord): OrderEvent {
  return {
    id: row.id,
    sequence: Number(row.sequence),
    type: row.type as OrderEvent['type'],
    occurred_at: row.occurred_at.toISOString(),
    order: row.snapshot as OrderEvent['order'],
  };
}

/**
 * The outbox relay. Each pass (1) gives committed events their feed position (the order of `order_events`), then
 * (2) adds every positioned, unpublished event as a job (job id = event id, so a republish after a crash is a
 * no-op) to each subscriber's queue and marks it published in the transaction that locked it (SKIP LOCKED:
 * replicas share the work). Delivery is at least once; consumers keep the newest snapshot per order.
 */
export function startOutboxRelay(config: OutboxRelayConfig): OutboxRelay {
  const queues: Array<Queue<OrderEvent>> = config.subscribers.map((domain) =>
    createQueue<OrderEvent>({
      name: orderEventsQueueName(domain),
      prefix: config.prefix,
      connection: config.connection,
      defaultJobOptions: { removeOnComplete: { age: 24 * 3600, count: 10_000 }, removeOnFail: { age: 7 * 24 * 3600 } },
    }),
  );
  const batch = config.batch ?? 200;
  const jobOf = (row: OutboxRecord) => ({ name: row.type, data: toOrderEvent(row), opts: { jobId: row.id } });
  let stopped = false;

  const publishBatch = (): Promise<number> =>
    inTransaction(config.db, async (trx) => {
      const rows = await config.outbox.lockUnpublished(trx, batch);
      if (rows.length === 0) return 0;
      const jobs = rows.map(jobOf);
      await withTimeout(Promise.all(queues.map((queue) => queue.addBulk(jobs))), PUBLISH_TIMEOUT_MS);
      await config.outbox.markPublished(trx, rows.map((row) => row.sequence));
      return rows.length;
    });

  let running: Promise<RelayPass> | undefined;
  const drainOnce = async (): Promise<RelayPass> => {
    const pass: RelayPass = { positioned: 0, published: 0 };
    for (;;) {
      const positioned = await config.outbox.assignPositions(config.db, batch);
      pass.positioned += positioned;
      if (positioned < batch || stopped) break;
    }
    for (;;) {
      const published = await publishBatch();
      pass.published += published;
      if (published < batch || stopped) break;
    }
    return pass;
  };
  const drain = (): Promise<RelayPass> => {
    running ??= drainOnce().finally(() => {
      running = undefined;
    });
    return running;
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = (): void => {
    timer = setTimeout(() => {
      drain()
        .catch((error: unknown) => config.logger.warn({ err: error }, 'outbox relay could not publish; retrying'))
        .finally(() => {
          if (!stopped) loop();
        });
    }, config.intervalMs);
    timer.unref();
  };
  loop();
  return {
    drain,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}
