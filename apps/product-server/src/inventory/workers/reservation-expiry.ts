import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { createQueue, startWorker } from '@mcpfed/queue';
import type { Queue, WorkerHandle } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import { EXPIRY_ACTOR } from '../service/inventory-caller.ts';
import { ReservationService } from '../service/reservation-service.ts';
import type { ReservationExpiryScheduler } from '../service/reservation-service.ts';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';

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
 * availability over promptness, the sweeper of {@link startReservationExpiry} expires it a little later.
 */
export function createReservationExpiryQueue(config: ReservationExpiryQueueConfig): ReservationExpiryQueue {
  const enqueueTimeoutMs = config.enqueueTimeoutMs ?? 1000;
  if (!Number.isInteger(enqueueTimeoutMs) || enqueueTimeoutMs < 1) throw new TypeError('createReservationExpiryQueue: enqueueTimeoutMs must be a positive integer');
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
        if (outcome === 'timeout') config.logger.warn({ reservation_id: reservationId, timeout_ms: enqueueTimeoutMs }, 'scheduling reservation expiry is slow; carrying on without waiting');
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => queue.close(),
  });
}

/** Settings of {@link startReservationExpiry}. */
export interface ReservationExpiryWorkerConfig<DB extends InventoryTables> {
  /** The product database (pool). */
  db: Kysely<DB>;
  logger: Logger;
  /**
   * A dedicated Redis connection for the BullMQ worker (it blocks on it; createRedisConnection of @mcpfed/queue),
   * closed by `close()`. Omit it (stdio without Redis) to run the sweeper alone.
   */
  connection?: Redis;
  /** BullMQ key prefix, the same as the queue's. Required with `connection`. */
  prefix?: string;
  /** Expiry jobs processed at once. Default 4. */
  concurrency?: number;
  /** How often the sweeper looks for overdue active reservations, in milliseconds; 0 disables it. Default 5000. */
  sweepIntervalMs?: number;
  /** How long past its TTL a reservation must be before the sweeper takes it (the job's turn first), in milliseconds. Default 1000. */
  sweepGraceMs?: number;
  /** Most reservations one sweep expires. Default 500. */
  sweepBatch?: number;
}

/** A running expiry worker and sweeper. */
export interface ReservationExpiryHandle {
  /** Runs one sweep now; returns how many reservations it expired. */
  sweep(): Promise<number>;
  /** Stops the sweeper and the worker (waiting for active jobs) and closes the worker's connection. */
  close(): Promise<void>;
}

/**
 * Starts the reservation expiry: a BullMQ worker that expires a reservation when its delayed job fires (only if
 * it is still active: commit, release and expiry each lock the reservation first, so exactly one wins), plus a
 * sweeper that expires active reservations whose job never ran (Redis lost it, or it was down at reserve time).
 */
export async function startReservationExpiry<DB extends InventoryTables>(config: ReservationExpiryWorkerConfig<DB>): Promise<ReservationExpiryHandle> {
  const db = inventoryDb(config.db);
  const sweepIntervalMs = config.sweepIntervalMs ?? 5000;
  const sweepGraceMs = config.sweepGraceMs ?? 1000;
  const sweepBatch = config.sweepBatch ?? 500;
  for (const [name, value] of [['sweepIntervalMs', sweepIntervalMs], ['sweepGraceMs', sweepGraceMs], ['sweepBatch', sweepBatch]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new TypeError(`startReservationExpiry: ${name} must be a non-negative integer`);
  }
  const service = () => new ReservationService(db, { actor: EXPIRY_ACTOR });

  let worker: WorkerHandle | undefined;
  if (config.connection !== undefined) {
    if (config.prefix === undefined || config.prefix.length === 0) throw new TypeError('startReservationExpiry: prefix is required with connection');
    worker = startWorker<ReservationExpiryJob>({
      queue: RESERVATION_EXPIRY_QUEUE,
      prefix: config.prefix,
      connection: config.connection,
      concurrency: config.concurrency ?? 4,
      logger: config.logger,
      process: async (job) => {
        const outcome = await service().expire(job.data.reservation_id);
        // A job that fires before the database clock reaches expires_at is retried with backoff.
        if (outcome === 'not_due') throw new Error(`reservation ${job.data.reservation_id} is not due yet`);
        return outcome;
      },
    });
    await worker.worker.waitUntilReady();
  }

  let sweeping: Promise<number> | undefined;
  let closed = false;
  // Drains every overdue reservation, a batch at a time: after Redis lost the delayed jobs they are all the sweep's.
  const sweepAll = async (): Promise<number> => {
    let expired = 0;
    for (;;) {
      const overdue = await service().expireOverdue(sweepGraceMs, sweepBatch);
      expired += overdue.expired;
      if (overdue.examined < sweepBatch || overdue.expired === 0 || closed) break;
    }
    if (expired > 0) config.logger.info({ expired }, 'sweeper expired overdue reservations');
    return expired;
  };
  const sweep = (): Promise<number> => {
    sweeping ??= sweepAll().finally(() => {
      sweeping = undefined;
    });
    return sweeping;
  };
  const timer =
    sweepIntervalMs > 0
      ? setInterval(() => {
          sweep().catch((error: unknown) => config.logger.warn({ err: error }, 'reservation sweep failed'));
        }, sweepIntervalMs)
      : undefined;
  timer?.unref();

  let closing: Promise<void> | undefined;
  return Object.freeze({
    sweep,
    close(): Promise<void> {
      closing ??= (async () => {
        closed = true;
        clearInterval(timer);
        await worker?.close();
        await sweeping?.catch(() => undefined);
        config.connection?.disconnect();
      })();
      return closing;
    },
  });
}
