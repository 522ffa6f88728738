import { paymentGet, paymentSearch, paymentVoid } from '@mcpfed/contract-payment';
import { inventoryRelease } from '@mcpfed/contract-product';
import type { Kysely } from '@mcpfed/db';
import { inTransaction } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import type { OrderDatabase } from '../store/order-database.ts';
import { OrderStore } from '../store/order-store.ts';
import { SagaStore } from '../store/saga-store.ts';
import type { SagaRecord } from '../store/saga-store.ts';
import { logCheckoutEnd } from './checkout-end-log.ts';
import { stepError } from './checkout-failures.ts';
import { checkoutKey } from './checkout-key.ts';
import type { OrderChanges } from './order-changes.ts';
import { refundPayment } from './payment-refunder.ts';
import type { UpstreamCallContext, Upstreams } from './upstreams.ts';

/** Collaborators of {@link CheckoutCompensation}. */
export interface CheckoutCompensationDeps {
  db: Kysely<OrderDatabase>;
  changes: OrderChanges;
  upstreams: Upstreams;
  logger: Logger;
}

/**
 * Undoes a refused checkout in reverse (docs/architecture.md §6): void or refund the payment, release the stock, then
 * fail the order. A transient failure is rethrown and the saga stays `compensating` until a retry or the sweeper
 * finishes it; each step carries its `checkout:<order_id>:<step>` key, so repeating it replays.
 */
export class CheckoutCompensation {
  readonly #deps: CheckoutCompensationDeps;

  constructor(deps: CheckoutCompensationDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  /** Runs the compensation of a `compensating` saga from its persisted step; returns the ended saga row. */
  async run(
    orderId: string,
    initial: SagaRecord,
    context: UpstreamCallContext,
    attempt: { number: number; final: boolean },
    ctx: Pick<RequestContext, 'signal'>,
  ): Promise<SagaRecord> {
    const { db, upstreams, changes } = this.#deps;
    const sagas = new SagaStore(db, ctx.signal);
    let saga = initial;
    const done = new Set(saga.completed_steps);
    let transient: unknown;
    if (saga.step === 'void_payment') {
      try {
        // Authorization was attempted once the stock was reserved; the payment is found by its order reference,
        // so an authorization whose answer was lost in a crash is released too.
        if (done.has('reserve_inventory')) await this.#releasePayment(orderId, context, ctx);
        saga = await sagas.update(orderId, { step: 'release_inventory', completed_steps: [...saga.completed_steps, 'void_payment'] });
      } catch (error) {
        transient = error;
      }
    }
    try {
      if (done.has('check_eligibility')) {
        await upstreams.product
          .call(inventoryRelease, { order_reference: orderId, idempotency_key: checkoutKey(orderId, 'release_inventory') }, context)
          .catch((error: unknown) => {
            // NOT_FOUND: nothing was reserved; PRECONDITION_FAILED: it already ended (released, expired).
            if (AppError.is(error) && (error.code === 'NOT_FOUND' || error.code === 'PRECONDITION_FAILED')) return undefined;
            throw error;
          });
      }
    } catch (error) {
      transient ??= error;
    }
    if (transient !== undefined || saga.step !== 'release_inventory') {
      await sagas.update(orderId, { last_error: JSON.stringify(stepError('compensation', transient)) });
      this.#deps.logger.warn(
        { order_id: orderId, step: saga.step, code: stepError(saga.step, transient).code, attempt: attempt.number },
        attempt.final ? 'checkout compensation failed transiently; the sweeper resumes it' : 'checkout compensation failed transiently; the job retries',
      );
      throw transient;
    }
    const finished = await inTransaction(db, async (trx) => {
      const sagasIn = new SagaStore(trx, ctx.signal);
      const orders = new OrderStore(trx, ctx.signal);
      const current = await sagasIn.get(orderId, { forUpdate: true });
      if (current.status !== 'compensating') return { saga: current, order: undefined };
      const order = await orders.get(orderId, { forUpdate: true });
      const failed =
        order.status === 'pending' || order.status === 'confirmed'
          ? await changes.transition(
              trx,
              order,
              'failed',
              'checkout',
              { failure_reason: current.failure_reason ?? 'internal', failure_message: current.failure_message },
              ctx,
            )
          : order;
      const ended = await sagasIn.update(orderId, {
        status: 'failed',
        completed_steps: [...current.completed_steps, 'release_inventory'],
        finished_at: new Date(),
      });
      return { saga: ended, order: failed };
    });
    // Only the run that finished the compensation reports the end (a racing run found it done).
    if (finished.order !== undefined) logCheckoutEnd(this.#deps.logger, 'failed', finished.order, finished.saga, attempt.number);
    return finished.saga;
  }

  /** Voids the order's open authorizations and refunds anything captured (captured before a later step failed). */
  async #releasePayment(orderId: string, context: UpstreamCallContext, ctx: Pick<RequestContext, 'signal'>): Promise<void> {
    const { upstreams, db } = this.#deps;
    const orders = new OrderStore(db, ctx.signal);
    if ((await orders.get(orderId)).payment_id === null) {
      // The authorization's answer never reached us (a TIMEOUT after the provider acted, a crash): void it by the
      // key it was asked with. The payment server settles a pending one with its provider first, and closes a key
      // nothing was authorized with, so an authorize still on its way cannot leave a hold behind.
      await upstreams.payment
        .call(paymentVoid, { authorization_key: checkoutKey(orderId, 'authorize_payment'), idempotency_key: checkoutKey(orderId, 'void_payment') }, context)
        .catch((error: unknown) => {
          // Nothing held under the key (declined, never made) or no longer authorized (voided; captured: refunded below).
          if (AppError.is(error) && error.code === 'PRECONDITION_FAILED') return undefined;
          throw error;
        });
    }
    const { items } = await upstreams.payment.call(paymentSearch, { filter: { order_ref: orderId }, limit: 10 }, context);
    for (const payment of items) {
      if (payment.status === 'authorized') {
        await upstreams.payment
          .call(paymentVoid, { payment_id: payment.id, idempotency_key: checkoutKey(orderId, 'void_payment') }, context)
          .catch(async (error: unknown) => {
            if (!AppError.is(error) || error.code !== 'PRECONDITION_FAILED') throw error;
            const current = await upstreams.payment.call(paymentGet, { payment_id: payment.id }, context);
            if (current.amount_refundable > 0) await this.#refundAll(orderId, current.id, current.amount_refundable, current.currency, context);
          });
      } else if (payment.amount_refundable > 0) {
        await this.#refundAll(orderId, payment.id, payment.amount_refundable, payment.currency, context);
      }
    }
    const order = await orders.get(orderId);
    if (Number(order.amount_captured) > 0 && Number(order.refunded_amount) < Number(order.amount_captured)) {
      await orders.update(orderId, { refunded_amount: order.amount_captured });
    }
  }

  /**
   * Gives back what this failed checkout captured, as the order server itself (its own token, never the caller's):
   * the refund undoes the saga's own charge of moments ago, which nobody asked for, so no person is asked to approve
   * it (docs/security.md, "A person approves money").
   */
  async #refundAll(orderId: string, paymentId: string, amount: number, currency: string, context: UpstreamCallContext): Promise<void> {
    const { subjectToken: _caller, ...own } = context;
    await refundPayment(
      this.#deps.upstreams.payment,
      { paymentId, amount, currency, reason: 'order_canceled', idempotencyKey: checkoutKey(orderId, 'refund_payment') },
      own,
    );
  }
}
