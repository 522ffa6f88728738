import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { createQueue } from '@mcpfed/queue';
import type { Queue } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import type { SagaRecord } from '../store/saga-store.ts';

/** The BullMQ queue of checkout sagas. */
export const CHECKOUT_QUEUE = 'order-checkout';

/** The job of one checkout: its id is the order id. */
export interface CheckoutJob {
  order_id: string;
  /** The trace of the order_place call that enqueued it, continued by the saga's upstream calls. */
  traceparent?: string;
}

/** Settings of {@link CheckoutQueue}. */
export interface CheckoutQueueConfig {
  /** Queue connection (commands). */
  connection: Redis;
  /** BullMQ key prefix. */
  prefix: string;
  /** Job runs before the saga gives up retrying and compensates. */
  attempts: number;
  /** First retry delay in milliseconds; doubles per attempt, with ±50 % jitter. */
  backoffMs: number;
  /** How long order_place waits for Redis to take a job before leaving it to the sweeper, in milliseconds. */
  enqueueTimeoutMs: number;
  logger: Logger;
}

/**
 * The checkout queue: enqueues sagas (job id = order id, so enqueueing twice is one job) and tells in-process
 * waiters when a saga made progress. Finished jobs are removed at once: the saga record in PostgreSQL is the
 * history, and a removed job id can be enqueued again by the sweeper or order_workflow_retry.
 */
export class CheckoutQueue {
  readonly queue: Queue<CheckoutJob>;
  readonly #config: CheckoutQueueConfig;
  readonly #progress = new EventEmitter();

  constructor(config: CheckoutQueueConfig) {
    this.#config = Object.freeze({ ...config });
    this.queue = createQueue<CheckoutJob>({
      name: CHECKOUT_QUEUE,
      prefix: config.prefix,
      connection: config.connection,
      defaultJobOptions: {
        attempts: config.attempts,
        backoff: { type: 'exponential', delay: config.backoffMs, jitter: 0.5 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    });
    this.#progress.setMaxListeners(0);
  }

  /**
   * Adds the saga's job; false when Redis did not take it within the timeout (the order is safe in PostgreSQL and
   * the sweeper enqueues it later).
   */
  async enqueue(orderId: string, traceparent?: string): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.#config.enqueueTimeoutMs);
    });
    const data: CheckoutJob = traceparent === undefined ? { order_id: orderId } : { order_id: orderId, traceparent };
    const added = this.queue.add('checkout', data, { jobId: orderId }).then(
      () => true,
      (error: unknown) => {
        this.#config.logger.warn({ err: error, order_id: orderId }, 'could not enqueue the checkout; the sweeper will');
        return false;
      },
    );
    try {
      return await Promise.race([added, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether a job for the order is waiting, delayed or running. */
  async isQueued(orderId: string): Promise<boolean> {
    const job = await this.queue.getJob(orderId);
    if (job === undefined) return false;
    const state = await job.getState();
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  /** Reports a saga's progress to waiters in this process. */
  notify(orderId: string, saga: SagaRecord): void {
    this.#progress.emit(orderId, saga);
  }

  /** Calls `listener` on every progress of the order's saga until the returned function is called. */
  subscribe(orderId: string, listener: (saga: SagaRecord) => void): () => void {
    this.#progress.on(orderId, listener);
    return () => this.#progress.off(orderId, listener);
  }

  /** Closes the queue's connection use. */
  async close(): Promise<void> {
    await this.queue.close();
  }
}
