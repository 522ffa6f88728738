import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { jobContext } from '@mcpfed/mcp-runtime';
import { startWorker } from '@mcpfed/queue';
import type { WorkerHandle } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import { ReservationService } from '../service/reservation-service.ts';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { RESERVATION_EXPIRY_QUEUE } from './reservation-expiry-queue.ts';
import type { ReservationExpiryJob } from './reservation-expiry-queue.ts';
import { RESERVATION_EXPIRY_PRINCIPAL } from './reservation-expiry-principal.ts';

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
  for (const [name, value] of [
    ['sweepIntervalMs', sweepIntervalMs],
    ['sweepGraceMs', sweepGraceMs],
    ['sweepBatch', sweepBatch],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) throw new TypeError(`startReservationExpiry: ${name} must be a non-negative integer`);
  }
  const service = new ReservationService(db);
  const contextOf = (signal?: AbortSignal) => jobContext({ principal: RESERVATION_EXPIRY_PRINCIPAL, log: config.logger, signal });

  let worker: WorkerHandle | undefined;
  if (config.connection !== undefined) {
    if (config.prefix === undefined || config.prefix.length === 0) throw new TypeError('startReservationExpiry: prefix is required with connection');
    worker = startWorker<ReservationExpiryJob>({
      queue: RESERVATION_EXPIRY_QUEUE,
      prefix: config.prefix,
      connection: config.connection,
      concurrency: config.concurrency ?? 4,
      logger: config.logger,
      process: async (job, signal) => {
        const outcome = await service.expire(job.data.reservation_id, contextOf(signal));
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
    const ctx = contextOf();
    for (;;) {
      const overdue = await service.expireOverdue(sweepGraceMs, sweepBatch, ctx);
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
