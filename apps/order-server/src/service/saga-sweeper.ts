import type { Kysely } from '@mcpfed/db';
import type { Logger } from '@mcpfed/telemetry';
import type { OrderDatabase } from '../store/order-database.ts';
import type { SagaStore } from '../store/saga-store.ts';
import type { CheckoutQueue } from './checkout-queue.ts';

/** Settings of {@link startSagaSweeper}. */
export interface SagaSweeperConfig {
  db: Kysely<OrderDatabase>;
  sagas: SagaStore;
  queue: CheckoutQueue;
  /** Finishes claimed cancels, refunds and fulfilments whose caller is gone (OrderLifecycleService). Optional. */
  operations?: { resumeUnattended(limit: number, signal?: AbortSignal): Promise<number> };
  /** Time between sweeps, in milliseconds. */
  intervalMs: number;
  /** A running or compensating saga without progress for this long is stuck, in milliseconds. */
  stuckAfterMs: number;
  /** Most sagas and operations handled per sweep, each. Default 200. */
  batch?: number;
  logger: Logger;
}

/** A running sweeper. */
export interface SagaSweeper {
  /** One sweep now; resolves with how many sagas it enqueued. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Re-enqueues stuck sagas (ARCHITECTURE §6): orders written while Redis was unreachable, sagas whose job ran out of
 * retries while compensating, jobs lost with Redis data. A saga whose job is still queued or running is left to
 * it (job id = order id, so a double enqueue would be a no-op anyway); every replica may sweep. It also finishes
 * claimed order operations nobody works on any more.
 */
export function startSagaSweeper(config: SagaSweeperConfig): SagaSweeper {
  let running: Promise<number> | undefined;
  let stopped = false;
  const controller = new AbortController();
  const batch = config.batch ?? 200;
  const sweepOnce = async (): Promise<number> => {
    if (config.operations !== undefined) {
      const finished = await config.operations.resumeUnattended(batch, controller.signal).catch((error: unknown) => {
        config.logger.warn({ err: error }, 'finishing pending order operations failed; next interval retries');
        return 0;
      });
      if (finished > 0) config.logger.info({ finished }, 'sweeper finished pending order operations');
    }
    const stuck = await config.sagas.stuck(config.db, config.stuckAfterMs, batch);
    let enqueued = 0;
    for (const saga of stuck) {
      if (stopped) break;
      if (await config.queue.isQueued(saga.order_id)) continue;
      if (await config.queue.enqueue(saga.order_id)) enqueued += 1;
    }
    if (enqueued > 0) config.logger.info({ enqueued }, 'sweeper re-enqueued stuck checkouts');
    return enqueued;
  };
  const sweep = (): Promise<number> => {
    running ??= sweepOnce().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    sweep().catch((error: unknown) => config.logger.warn({ err: error }, 'saga sweep failed; next interval retries'));
  }, config.intervalMs);
  timer.unref();
  return {
    sweep,
    async stop() {
      stopped = true;
      controller.abort();
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
