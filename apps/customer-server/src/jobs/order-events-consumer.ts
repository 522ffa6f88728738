import type { Kysely } from 'kysely';
import { orderEventsQueueName } from '@mcpfed/contract-order';
import { AppError } from '@mcpfed/errors';
import { jobContext, systemPrincipal } from '@mcpfed/mcp-runtime';
import { createQueue, startWorker } from '@mcpfed/queue';
import type { Queue, WorkerHandle } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import type { Redis } from 'ioredis';
import { applyOrderEvent } from '../service/order-event-projection.ts';
import type { CustomerDatabase } from '../store/customer-database.ts';

/** The queue through which the customer domain receives order events: `order-events.customer`. */
export const CUSTOMER_ORDER_EVENTS_QUEUE = orderEventsQueueName('customer');

/** Who applies order events: no request stands behind them, and they write no actor anywhere. */
const CONSUMER_PRINCIPAL = systemPrincipal('order-events-consumer');

/** Collaborators and settings of {@link startOrderEventsConsumer}. */
export interface OrderEventsConsumerConfig {
  db: Kysely<CustomerDatabase>;
  /** Key prefix of the order events queues (`ORDER_EVENTS_PREFIX`, default `{mcpfed:events}`; tests use a random one). */
  prefix: string;
  /** A dedicated Redis connection for the worker, which blocks on it (createRedisConnection of @mcpfed/queue). Not closed by `close()`. */
  workerConnection: Redis;
  /** A Redis connection for reading the queue's job counts (metrics). Not closed by `close()`. */
  queueConnection: Redis;
  logger: Logger;
  /** Events applied at once. Default 4 (events of one customer still apply one at a time: see OrderStatsStore.lockCustomer). */
  concurrency?: number;
}

/** A running consumer. */
export interface OrderEventsConsumer {
  /** The queue it consumes (for `registerQueueMetrics`). */
  readonly queue: Queue;
  /** Stops taking jobs, waits for the events being applied, and closes the queue handle. */
  close(): Promise<void>;
}

/**
 * Consumes `order-events.customer` (jobs added by the order server's outbox relay, job id = event id) into the
 * order statistics projection. A payload that is not an order event fails its job at once (VALIDATION_FAILED,
 * not retried) and is logged; a database outage is retried with BullMQ's backoff.
 */
export function startOrderEventsConsumer(config: OrderEventsConsumerConfig): OrderEventsConsumer {
  const { db, logger } = config;
  const queue = createQueue({ name: CUSTOMER_ORDER_EVENTS_QUEUE, prefix: config.prefix, connection: config.queueConnection });
  const worker: WorkerHandle = startWorker<unknown>({
    queue: CUSTOMER_ORDER_EVENTS_QUEUE,
    prefix: config.prefix,
    connection: config.workerConnection,
    concurrency: config.concurrency ?? 4,
    logger,
    async process(job, signal) {
      try {
        const outcome = await applyOrderEvent(db, job.data, jobContext({ principal: CONSUMER_PRINCIPAL, log: logger, signal }));
        if (outcome.unknownCustomers.length > 0) {
          logger.warn(
            { event_id: outcome.eventId, order_id: outcome.orderId, customers: outcome.unknownCustomers },
            'order event names an unknown customer; snapshot kept, no statistics written',
          );
        } else if (logger.isLevelEnabled('debug')) {
          logger.debug({ event_id: outcome.eventId, order_id: outcome.orderId, result: outcome.result }, 'order event applied');
        }
        return outcome.result;
      } catch (error) {
        if (AppError.is(error) && error.code === 'VALIDATION_FAILED') {
          logger.error({ job_id: job.id, issues: error.details?.['issues'] }, 'order event payload is invalid; job failed without retry');
        }
        throw error;
      }
    },
  });
  return {
    queue,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
