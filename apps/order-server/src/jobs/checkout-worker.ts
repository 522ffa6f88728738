import type { Redis } from 'ioredis';
import { jobContext, systemPrincipal } from '@mcpfed/mcp-runtime';
import { startWorker } from '@mcpfed/queue';
import type { WorkerHandle } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import type { CheckoutSaga } from '../service/checkout-saga.ts';
import { CHECKOUT_QUEUE } from './checkout-queue.ts';
import type { CheckoutJob } from './checkout-queue.ts';

/** Settings of {@link startCheckoutWorker}. */
export interface CheckoutWorkerConfig {
  /** Worker connection (blocking commands: not shared with the queue's). */
  connection: Redis;
  /** BullMQ key prefix, the checkout queue's. */
  prefix: string;
  saga: CheckoutSaga;
  /** Sagas run at once by this process. */
  concurrency: number;
  /** How long a job's lock lasts without renewal before another worker takes the job over, in milliseconds. */
  lockDurationMs: number;
  logger: Logger;
}

/** The principal of checkout runs: the caller's identity travels sealed (UpstreamIdentity), not as the job's principal. */
const CHECKOUT_PRINCIPAL = systemPrincipal('checkout');

/**
 * Runs checkout sagas from the queue. Each job runs without a request: its context is the job's (its signal ends
 * every query and upstream call when the worker shuts down), and the saga continues the order_place call's trace.
 */
export function startCheckoutWorker(config: CheckoutWorkerConfig): WorkerHandle {
  return startWorker<CheckoutJob>({
    queue: CHECKOUT_QUEUE,
    prefix: config.prefix,
    connection: config.connection,
    concurrency: config.concurrency,
    lockDurationMs: config.lockDurationMs,
    logger: config.logger,
    process: async (job, signal) => {
      const attempts = job.opts.attempts ?? 1;
      const { traceparent } = job.data;
      const ctx = jobContext({ principal: CHECKOUT_PRINCIPAL, log: config.logger, signal, traceparent });
      return config.saga.run(job.data.order_id, { finalAttempt: job.attemptsMade + 1 >= attempts, ...(traceparent === undefined ? {} : { traceparent }) }, ctx);
    },
  });
}
