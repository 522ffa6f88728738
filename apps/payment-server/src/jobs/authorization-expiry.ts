import type { Queue } from '@mcpfed/queue';
import type { Redis } from 'ioredis';
import { createQueue, startWorker } from '@mcpfed/queue';
import type { WorkerHandle } from '@mcpfed/queue';
import { AppError } from '@mcpfed/errors';
import { jobContext } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import { EXPIRY_PRINCIPAL } from '../service/expire-authorization.ts';
import type { ExpiryScheduler } from '../service/expiry-scheduler.ts';
import type { PaymentService } from '../service/payment-service.ts';

/** Name of the BullMQ queue of authorization expiries. */
export const EXPIRY_QUEUE = 'payment-authorization-expiry';

const SCHEDULE_TIMEOUT_MS = 2000;

/** The data of one expiry job. */
export interface ExpiryJob {
  payment_id: string;
}

/** The job id of a payment's expiry (BullMQ refuses ':' in custom ids, hence `expire-`). */
export function expiryJobId(paymentId: string): string {
  return `expire-${paymentId}`;
}

/** Settings of {@link createExpiryScheduler} and {@link startExpiryWorker}. */
export interface ExpiryQueueConfig {
  /** A BullMQ connection (maxRetriesPerRequest null: createRedisConnection of @mcpfed/queue). */
  connection: Redis;
  /** Key prefix (QUEUE_PREFIX, default `{mcpfed:payment}`; tests use a random one). */
  prefix: string;
}

/**
 * Schedules one delayed job per authorization, `expire-<payment_id>`, due at its expiry. The deterministic job id
 * makes scheduling idempotent (a retried authorize schedules nothing new).
 */
export function createExpiryScheduler(config: ExpiryQueueConfig): ExpiryScheduler & { queue: Queue<ExpiryJob>; close(): Promise<void> } {
  const queue = createQueue<ExpiryJob>({ name: EXPIRY_QUEUE, prefix: config.prefix, connection: config.connection });
  return {
    queue,
    async schedule(paymentId: string, expiresAt: Date): Promise<void> {
      const added = queue.add('expire', { payment_id: paymentId }, { jobId: expiryJobId(paymentId), delay: Math.max(0, expiresAt.getTime() - Date.now()) });
      // A BullMQ connection waits through Redis outages; the caller must not. The add still lands once Redis is
      // back, and the reconciler's sweep voids expired authorizations either way.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`scheduling the expiry of ${paymentId} timed out`)), SCHEDULE_TIMEOUT_MS);
      });
      try {
        await Promise.race([added, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => queue.close(),
  };
}

/**
 * Runs expiry jobs in this process: each voids its authorization if it is still uncaptured (a captured or voided
 * payment makes the job a no-op). A capture or void in progress makes the job retry with backoff.
 */
export function startExpiryWorker(config: ExpiryQueueConfig & { payments: PaymentService; logger: Logger; concurrency?: number }): WorkerHandle {
  return startWorker<ExpiryJob>({
    queue: EXPIRY_QUEUE,
    prefix: config.prefix,
    connection: config.connection,
    concurrency: config.concurrency ?? 4,
    logger: config.logger,
    process: async (job, signal) => {
      const outcome = await config.payments.expire(job.data.payment_id, jobContext({ principal: EXPIRY_PRINCIPAL, log: config.logger, signal }));
      if (outcome === 'busy') {
        throw new AppError('CONFLICT', `payment ${job.data.payment_id} has a capture or void in progress`, { retryable: true });
      }
      config.logger.info({ payment_id: job.data.payment_id, outcome }, 'authorization expiry');
      return outcome;
    },
  });
}
