import type { Redis } from 'ioredis';
import { createQueue } from '@mcpfed/queue';
import type { Queue } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import type { ReservationExpiryScheduler } from '../service/reservation-service.ts';

/** Name of the BullMQ queue of reservation expiry jobs. */
export const RESERVATION_EXPIRY_QUEUE = 'inventory-reservation-expiry';

/** Data of one expiry job. */
export interface ReservationExpiryJob {
  reservation_id: string;
}

/**
 * The job id of a reservation's expiry: one job per reservation, so scheduling twice is a no-op. (BullMQ 6
 * refuses custom ids containing ":" unless they have exactly three parts, hence `expire-<id>`, not `expire:<id>`.)
 */
export function expiryJobId(reservationId: string): string {
  return `expire-${reservationId}`;
}

/** Settings of {@link createReservationExpiryQueue}. */
export interface ReservationExpiryQueueConfig {
  /** Redis connection of the queue (createRedisConnection of @mcpfed/queue); not closed by `close()`. */
  connection: Redis;
  /** BullMQ key prefix shared with the worker, e.g. `{mcpfed:product}` (tests use a random one). */
  prefix: string;
  logger: Logger;
  /**
   * How long reserve waits for Redis to accept the job before it carries on without it, in milliseconds; the
   * sweeper then expires the reservation. Default 1000.
   */
  enqueueTimeoutMs?: number;
}

/** The BullMQ queue of expiry jobs, as the scheduler inventory_reserve uses. */
export interface ReservationExpiryQueue extends ReservationExpiryScheduler {
  /** The underlying queue (for queue metrics: `registerQueueMetrics(metrics, expiry.queue)`). */
  readonly queue: Queue<ReservationExpiryJob>;
  /** Closes the queue (not the connection). */
  close(): Promise<void>;
}

/**
 * The expiry scheduler of production: a delayed BullMQ job `expire-<reservation id>` per reservation. A
 * scheduling failure or a Redis slower than `enqueueTimeoutMs` is logged and does not fail the reservation:
 * availability over promptness, the sweeper of `startReservationExpiry` expires it a little later.
 */
export function createReservationExpiryQueue(config: ReservationExpiryQueueConfig): ReservationExpiryQueue {
  const enqueueTimeoutMs = config.enqueueTimeoutMs ?? 1000;
  if (!Number.isInteger(enqueueTimeoutMs) || enqueueTimeoutMs < 1)
    throw new TypeError('createReservationExpiryQueue: enqueueTimeoutMs must be a positive integer');
  if (config.prefix.length === 0) throw new TypeError('createReservationExpiryQueue: prefix must not be empty');
  const queue = createQueue<ReservationExpiryJob>({
    name: RESERVATION_EXPIRY_QUEUE,
    prefix: config.prefix,
    connection: config.connection,
    defaultJobOptions: { removeOnComplete: { age: 3600, count: 10_000 } },
  });
  // Without a listener BullMQ prints connection errors to the console; the connection already logs outages.
  queue.on('error', (error: Error) => config.logger.debug({ err: error, queue: RESERVATION_EXPIRY_QUEUE }, 'expiry queue error'));
  return Object.freeze({
    queue,
    async schedule(reservationId: string, delayMs: number): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), enqueueTimeoutMs);
      });
      const added = queue.add('expire', { reservation_id: reservationId }, { jobId: expiryJobId(reservationId), delay: delayMs }).then(
        () => 'added' as const,
        (error: unknown) => {
          config.logger.warn({ err: error, reservation_id: reservationId }, 'could not schedule reservation expiry; the sweeper will expire it');
          return 'failed' as const;
        },
      );
      try {
        const outcome = await Promise.race([added, timeout]);
        if (outcome === 'timeout')
          config.logger.warn(
            { reservation_id: reservationId, timeout_ms: enqueueTimeoutMs },
            'scheduling reservation expiry is slow; carrying on without waiting',
          );
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => queue.close(),
  });
}
