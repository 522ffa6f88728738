import type { Redis } from 'ioredis';
import { orderEventsQueueName } from '@mcpfed/contract-order';
import type { OrderEvent } from '@mcpfed/contract-order';
import type { Kysely } from '@mcpfed/db';
import { inTransaction } from '@mcpfed/db';
import { createQueue } from '@mcpfed/queue';
import type { Queue } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import type { OrderDatabase } from '../store/order-database.ts';
import { OutboxStore } from '../store/outbox-store.ts';
import type { OutboxRecord } from '../store/outbox-store.ts';
import { toOrderEvent } from '../service/order-event-view.ts';

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
  connection: Redis;
  /** Key prefix of the event queues (ORDER_EVENTS_PREFIX). */
  prefix: string;
  /** Subscribing domains: one queue `order-events.<domain>` each. */
  subscribers: readonly string[];
  /** Time between polls when idle, in milliseconds. */
  intervalMs: number;
  /** A published event's jobs are checked once it is this old, in milliseconds. Default 2000. */
  confirmAfterMs?: number;
  /** Time between checks of published events' jobs, in milliseconds. Default 1000. */
  confirmIntervalMs?: number;
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
  /** Events whose every job finished. */
  delivered: number;
  /** Events added again because a subscriber's queue no longer had their job (Redis lost it). */
  republished: number;
}

/** A running relay. */
export interface OutboxRelay {
  /** Positions and publishes what is pending now, and checks published events' jobs when `confirm` is set. */
  drain(options?: { confirm?: boolean }): Promise<RelayPass>;
  stop(): Promise<void>;
}

/**
 * The outbox relay. Each pass (1) gives committed events their feed position (the order of `order_events`),
 * (2) adds every positioned, unpublished event as a job (job id = event id, so adding it twice is one job) to each
 * subscriber's queue and marks it published in the transaction that locked it (SKIP LOCKED: replicas share the
 * work), and (3) watches published events until every subscriber's job has finished: a job Redis no longer has
 * (flushed, restarted without persistence, failed over) is added again, one that ran out of attempts is retried.
 * So an event is delivered at least once whatever Redis loses; consumers keep the newest snapshot per order.
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
  const confirmAfterMs = config.confirmAfterMs ?? 2000;
  const confirmIntervalMs = config.confirmIntervalMs ?? 1000;
  const jobOf = (row: OutboxRecord) => ({ name: row.type, data: toOrderEvent(row), opts: { jobId: row.id } });
  let stopped = false;
  // Aborted by stop(): a query in flight then ends instead of holding the shutdown.
  const stopping = new AbortController();

  const publishBatch = (): Promise<number> =>
    inTransaction(config.db, async (trx) => {
      const outbox = new OutboxStore(trx, stopping.signal);
      const rows = await outbox.lockUnpublished(batch);
      if (rows.length === 0) return 0;
      const jobs = rows.map(jobOf);
      await withTimeout(Promise.all(queues.map((queue) => queue.addBulk(jobs))), PUBLISH_TIMEOUT_MS);
      await outbox.markPublished(rows.map((row) => row.sequence));
      return rows.length;
    });

  const confirmBatch = (): Promise<{ delivered: number; republished: number }> =>
    inTransaction(config.db, async (trx) => {
      const outbox = new OutboxStore(trx, stopping.signal);
      const rows = await outbox.lockUndelivered(confirmAfterMs, batch);
      const delivered: string[] = [];
      let republished = 0;
      await withTimeout(
        Promise.all(
          rows.map(async (row) => {
            const finished = await Promise.all(queues.map((queue) => settleJob(queue, row)));
            if (finished.every(Boolean)) delivered.push(row.sequence);
            else if (finished.includes('republished')) republished += 1;
          }),
        ),
        PUBLISH_TIMEOUT_MS,
      );
      await outbox.markDelivered(delivered);
      return { delivered: delivered.length, republished };
    });

  /** True when the event's job in `queue` is done with; 'republished' when it had to be added again; false while it runs. */
  const settleJob = async (queue: Queue<OrderEvent>, row: OutboxRecord): Promise<boolean | 'republished'> => {
    const state = await queue.getJobState(row.id);
    if (state === 'completed') return true;
    if (state === 'unknown') {
      const job = jobOf(row);
      await queue.add(job.name, job.data, job.opts);
      return 'republished';
    }
    if (state !== 'failed') return false;
    const job = await queue.getJob(row.id);
    if (job === undefined) return false;
    // Failed before its last attempt: the consumer refused it as invalid (UnrecoverableError) and logged it; a
    // retry cannot change that. Failed after its last attempt (e.g. the consumer's database was down): try again.
    if (job.attemptsMade < (job.opts.attempts ?? 1)) {
      config.logger.error({ event_id: row.id, queue: queue.name, reason: job.failedReason }, 'a subscriber refused an order event; not delivered again');
      return true;
    }
    await job.retry('failed');
    return false;
  };

  let running: Promise<RelayPass> | undefined;
  let lastConfirm = 0;
  const drainOnce = async (confirm: boolean): Promise<RelayPass> => {
    const pass: RelayPass = { positioned: 0, published: 0, delivered: 0, republished: 0 };
    for (;;) {
      const positioned = await new OutboxStore(config.db, stopping.signal).assignPositions(batch);
      pass.positioned += positioned;
      if (positioned < batch || stopped) break;
    }
    for (;;) {
      const published = await publishBatch();
      pass.published += published;
      if (published < batch || stopped) break;
    }
    if (confirm) {
      lastConfirm = Date.now();
      for (;;) {
        const { delivered, republished } = await confirmBatch();
        pass.delivered += delivered;
        pass.republished += republished;
        if (delivered + republished < batch || stopped) break;
      }
      if (pass.republished > 0) config.logger.warn({ republished: pass.republished }, 'order events lost by the event queue were published again');
    }
    return pass;
  };
  const drain = (options: { confirm?: boolean } = {}): Promise<RelayPass> => {
    running ??= drainOnce(options.confirm ?? true).finally(() => {
      running = undefined;
    });
    return running;
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = (): void => {
    timer = setTimeout(() => {
      drain({ confirm: Date.now() - lastConfirm >= confirmIntervalMs })
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
      stopping.abort();
      await running?.catch(() => undefined);
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}
