import { CHECKOUT_STEPS } from '@mcpfed/contract-order';
import type { Kysely } from '@mcpfed/db';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { CheckoutQueue } from '../jobs/checkout-queue.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { SagaStore } from '../store/saga-store.ts';
import type { SagaRecord } from '../store/saga-store.ts';

/** Collaborators of {@link CheckoutWaiter}. */
export interface CheckoutWaiterDeps {
  db: Kysely<OrderDatabase>;
  /** Tells this process's waiters of every persisted step. */
  queue: Pick<CheckoutQueue, 'subscribe'>;
  /**
   * While waiting, how long without news from this process's worker before the saga is read from the database
   * (another replica may run it), in milliseconds; each step this process reports puts the read off again.
   */
  pollIntervalMs: number;
}

/** Whether a checkout has ended (completed or failed). */
export function checkoutEnded(saga: Pick<SagaRecord, 'status'>): boolean {
  return saga.status === 'completed' || saga.status === 'failed';
}

/** order_place's wait for its checkout: reports each step as progress and client log messages. */
export class CheckoutWaiter {
  readonly #deps: CheckoutWaiterDeps;

  constructor(deps: CheckoutWaiterDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  /** Waits until the saga finished, `waitMs` passed or the call was aborted; reports each step as progress. */
  async wait(orderId: string, waitMs: number, ctx: Pick<RequestContext, 'signal' | 'progress' | 'clientLog'>): Promise<SagaRecord> {
    const { db, queue, pollIntervalMs } = this.#deps;
    const sagas = new SagaStore(db, ctx.signal);
    const log = ctx.clientLog;
    let latest = await sagas.get(orderId);
    if (checkoutEnded(latest) || waitMs === 0) return latest;
    // Log messages carry the order id, step names and reason codes only: never the customer, addresses or
    // payment details, and never the saga's free-text failure message (docs/security.md).
    void log('info', 'Waiting for the checkout to finish', { order_id: orderId, wait_ms: waitMs, status: latest.status, next_step: latest.step });
    let reported = -1;
    let polls = 0;
    const report = (saga: SagaRecord): void => {
      if (saga.completed_steps.length <= reported) return;
      // The first report tells the latest step only, as before; later ones each step since the last report.
      const from = reported < 0 ? Math.max(saga.completed_steps.length - 1, 0) : reported;
      reported = saga.completed_steps.length;
      void ctx.progress(reported, CHECKOUT_STEPS.length, `${saga.status}: next ${saga.step}`).catch(() => undefined);
      // One message per step, also for steps recorded together (authorize_payment with confirm_order).
      for (let done = from + 1; done <= reported; done++)
        void log('info', 'Checkout step done', {
          order_id: orderId,
          step: saga.completed_steps[done - 1] ?? '',
          done,
          of: CHECKOUT_STEPS.length,
        });
      if (saga.status === 'compensating') void log('warning', 'Checkout is undoing its steps', { order_id: orderId, next_step: saga.step });
    };
    report(latest);
    return new Promise<SagaRecord>((resolve) => {
      let settled = false;
      const settle = (saga: SagaRecord): void => {
        if (settled) return;
        settled = true;
        if (saga.status === 'completed') void log('notice', 'Checkout completed', { order_id: orderId });
        else if (saga.status === 'failed') void log('error', 'Checkout failed', { order_id: orderId, reason: saga.failure_reason ?? 'unknown' });
        else void log('notice', 'Stopped waiting; the checkout goes on: poll order_get', { order_id: orderId, status: saga.status, next_step: saga.step });
        clearTimeout(deadline);
        clearTimeout(poll);
        unsubscribe();
        ctx.signal.removeEventListener('abort', onAbort);
        resolve(saga);
      };
      const seen = (saga: SagaRecord): void => {
        latest = saga;
        report(saga);
        if (checkoutEnded(saga)) settle(saga);
      };
      // The database is read only after a quiet interval: while this process's worker runs the saga, its reports
      // come in sooner and each one puts the read off (one query per interval per waiter was most of the reads).
      let poll: NodeJS.Timeout | undefined;
      const armPoll = (): void => {
        clearTimeout(poll);
        if (settled) return;
        poll = setTimeout(() => {
          polls += 1;
          void log('debug', 'Reading the checkout state', { order_id: orderId, poll: polls });
          sagas
            .get(orderId)
            .then(seen, () => undefined)
            .finally(armPoll);
        }, pollIntervalMs);
      };
      const unsubscribe = queue.subscribe(orderId, (saga) => {
        seen(saga);
        armPoll();
      });
      const onAbort = (): void => settle(latest);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const deadline = setTimeout(() => settle(latest), waitMs);
      armPoll();
    });
  }
}
