import type { Kysely } from '@mcpfed/db';
import { jobContext, systemPrincipal } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import type { OrderDatabase } from '../store/order-database.ts';
import { SagaStore } from '../store/saga-store.ts';
import type { CheckoutQueue } from './checkout-queue.ts';

/** Settings of {@link startSagaSweeper}. */
export interface SagaSweeperConfig {
  db: Kysely<OrderDatabase>;
  queue: CheckoutQueue;
  /** Finishes claimed cancels, refunds and fulfilments whose caller is gone (OrderLifecycleService). Optional. */
  operations?: { resumeUnattended(limit: number, ctx: RequestContext): Promise<number> };
  /** Drops the caller tokens that ended checkouts left behind (UpstreamIdentity). Optional. */
  callerTokens?: { forgetEnded(db: Kysely<OrderDatabase>, limit: number, ctx: Pick<RequestContext, 'signal'>): Promise<number> };
  /** Time between sweeps, in milliseconds. */
  intervalMs: number;
  /**
   * A running or compensating saga without progress for this long gets its job back when Redis no longer has it,
   * in milliseconds. (Progress is written at every step, so a live saga is never this idle without a job.)
   */
  requeueAfterMs: number;
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
 * Rebuilds the checkout queue from the saga rows (docs/architecture.md §6): a running or compensating saga whose job Redis
 * does not have — an order written while Redis was unreachable, a job or a retry lost with Redis data (flush,
 * restart without persistence), a compensation whose retry budget ran out — is enqueued again (job id = order id,
 * so a double enqueue is one job). A saga whose job is waiting, delayed or running is left to it; every replica
 * may sweep. It also finishes claimed order operations nobody works on any more, and drops the sealed caller tokens
 * of checkouts that ended without dropping theirs.
 */
export function startSagaSweeper(config: SagaSweeperConfig): SagaSweeper {
  let running: Promise<number> | undefined;
  const controller = new AbortController();
  const batch = config.batch ?? 200;
  // Work done for nobody: the sweeper acts as the order server itself (docs/security.md, delegation).
  const ctx = jobContext({ principal: systemPrincipal('order-sweeper'), log: config.logger, signal: controller.signal });
  const sweepOnce = async (): Promise<number> => {
    if (config.operations !== undefined) {
      const finished = await config.operations.resumeUnattended(batch, ctx).catch((error: unknown) => {
        config.logger.warn({ err: error }, 'finishing pending order operations failed; next interval retries');
        return 0;
      });
      if (finished > 0) config.logger.info({ finished }, 'sweeper finished pending order operations');
    }
    if (config.callerTokens !== undefined) {
      const dropped = await config.callerTokens.forgetEnded(config.db, batch, ctx).catch((error: unknown) => {
        config.logger.warn({ err: error }, 'dropping the caller tokens of ended checkouts failed; next interval retries');
        return 0;
      });
      if (dropped > 0) config.logger.info({ dropped }, 'sweeper dropped caller tokens that ended checkouts left behind');
    }
    const idle = await new SagaStore(config.db, ctx.signal).idle(config.requeueAfterMs, batch);
    let enqueued = 0;
    for (const saga of idle) {
      if (controller.signal.aborted) break;
      if (await config.queue.isQueued(saga.order_id)) continue;
      if (await config.queue.enqueue(saga.order_id)) enqueued += 1;
    }
    if (enqueued > 0) config.logger.info({ enqueued }, 'sweeper re-enqueued checkouts that had no job');
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
      controller.abort();
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
