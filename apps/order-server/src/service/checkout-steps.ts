import { customerCheckEligibility } from '@mcpfed/contract-customer';
import { CHECKOUT_STEPS } from '@mcpfed/contract-order';
import type { CheckoutStep } from '@mcpfed/contract-order';
import { paymentAuthorize, paymentCapture, paymentGet } from '@mcpfed/contract-payment';
import { inventoryCommit, inventoryReserve } from '@mcpfed/contract-product';
import type { Kysely } from '@mcpfed/db';
import { inTransaction } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import type { LineAllocation, OrderDatabase } from '../store/order-database.ts';
import { OrderStore } from '../store/order-store.ts';
import type { OrderRecord } from '../store/order-store.ts';
import { SagaStore } from '../store/saga-store.ts';
import type { SagaRecord } from '../store/saga-store.ts';
import { CheckoutRefused, isTransient, refusing } from './checkout-failures.ts';
import { logCheckoutEnd } from './checkout-end-log.ts';
import { checkoutKey, DONE } from './checkout-key.ts';
import type { OrderChanges } from './order-changes.ts';
import type { UpstreamCallContext, Upstreams } from './upstreams.ts';

/** What a step left: the saga row after it, and the order row when this run's record changed it (else re-read it). */
export interface StepResult {
  saga: SagaRecord;
  order?: OrderRecord;
}

/** Collaborators and settings of {@link CheckoutSteps}. */
export interface CheckoutStepsDeps {
  db: Kysely<OrderDatabase>;
  changes: OrderChanges;
  upstreams: Upstreams;
  /** `ttl_seconds` of the stock reservation (it expires unless committed). */
  reservationTtlSeconds: number;
  logger: Logger;
}

/**
 * The checkout's forward steps (docs/architecture.md §6), one at a time: the remote call with the step's idempotency
 * key, the refusals that fail the checkout, and the step's record with its local effect in one transaction.
 */
export class CheckoutSteps {
  readonly #deps: CheckoutStepsDeps;

  constructor(deps: CheckoutStepsDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  /**
   * Runs `step` of the order's checkout and records it; returns the saga row after it, with the order row when the
   * record changed it. authorize_payment records confirm_order with it: the order is confirmed in the transaction
   * that stores its authorization (one step less, the same guarded record).
   */
  async run(
    step: CheckoutStep,
    order: OrderRecord,
    saga: SagaRecord,
    context: UpstreamCallContext,
    attempt: number,
    ctx: Pick<RequestContext, 'signal'>,
  ): Promise<StepResult> {
    const { upstreams, changes, db } = this.#deps;
    const key = checkoutKey(order.id, step);
    switch (step) {
      case 'check_eligibility': {
        const result = await refusing(
          upstreams.customer.call(
            customerCheckEligibility,
            { customer_id: order.customer_id, ...(order.shipping_address_id === null ? {} : { shipping_address_id: order.shipping_address_id }) },
            context,
          ),
          (error) =>
            error.code === 'NOT_FOUND' ? new CheckoutRefused('customer_not_eligible', `Customer ${order.customer_id} does not exist.`, error) : undefined,
        );
        if (!result.eligible) {
          const reasons = result.reasons.map((r) => `${r.code}: ${r.message}`).join('; ');
          throw new CheckoutRefused('customer_not_eligible', `The customer may not buy now (${reasons}).`);
        }
        return this.#advance(saga, [step], order, ctx);
      }
      case 'reserve_inventory': {
        const lines = await new OrderStore(db, ctx.signal).lines([order.id]);
        const { reservation } = await refusing(
          upstreams.product.call(
            inventoryReserve,
            {
              order_reference: order.id,
              lines: lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
              ttl_seconds: this.#deps.reservationTtlSeconds,
              idempotency_key: key,
            },
            context,
          ),
          (error) => {
            const detail = (error.details?.['reason'] as string | undefined) ?? error.code;
            if (error.code === 'PRECONDITION_FAILED' && detail === 'insufficient_stock') return new CheckoutRefused('insufficient_stock', error.message, error);
            if (error.code === 'PRECONDITION_FAILED' || error.code === 'NOT_FOUND') return new CheckoutRefused('product_unavailable', error.message, error);
            return undefined;
          },
        );
        const bySku = new Map<string, { unitPrice: number; allocations: LineAllocation[] }>();
        for (const line of reservation.lines) {
          const entry = bySku.get(line.sku) ?? { unitPrice: line.unit_price.amount, allocations: [] };
          entry.allocations.push({ location: line.location, quantity: line.quantity });
          bySku.set(line.sku, entry);
        }
        return this.#advance(
          saga,
          [step],
          async (orders) => {
            await orders.priceLines(
              order.id,
              [...bySku].map(([sku, entry]) => ({ sku, ...entry })),
            );
            return orders.update(order.id, { reservation_id: reservation.id, total_amount: reservation.total.amount, currency: reservation.total.currency });
          },
          ctx,
        );
      }
      case 'authorize_payment': {
        const { payment } = await refusing(
          upstreams.payment.call(
            paymentAuthorize,
            {
              order_ref: order.id,
              customer_id: order.customer_id,
              amount: Number(order.total_amount),
              currency: order.currency as 'EUR',
              payment_method: order.payment_method,
              idempotency_key: key,
            },
            context,
          ),
          (error) => {
            if (error.code === 'PAYMENT_DECLINED') return new CheckoutRefused('payment_declined', error.message, error);
            if (error.code === 'LIMIT_EXCEEDED') return new CheckoutRefused('payment_limit_exceeded', error.message, error);
            return isTransient(error) ? undefined : new CheckoutRefused('payment_failed', error.message, error);
          },
        );
        return this.#advance(
          saga,
          [step, 'confirm_order'],
          async (orders, trx) => {
            // The update locks the order row until the commit: its status read here stays true.
            const authorized = await orders.update(order.id, { payment_id: payment.id, amount_authorized: payment.amount_authorized });
            if (authorized.status !== 'pending') return authorized;
            return changes.transition(trx, authorized, 'confirmed', 'checkout', { confirmed_at: new Date() }, ctx);
          },
          ctx,
        );
      }
      case 'confirm_order':
        // Only a saga recorded at this step before authorize_payment took it over gets here.
        return this.#advance(
          saga,
          [step],
          async (orders, trx) => {
            const locked = await orders.get(order.id, { forUpdate: true });
            return locked.status === 'pending' ? changes.transition(trx, locked, 'confirmed', 'checkout', { confirmed_at: new Date() }, ctx) : locked;
          },
          ctx,
        );
      case 'capture_payment': {
        if (order.capture_mode !== 'immediate' || order.payment_id === null) return this.#advance(saga, [step], order, ctx);
        const paymentId = order.payment_id;
        const captured = await upstreams.payment.call(paymentCapture, { payment_id: paymentId, idempotency_key: key }, context).then(
          (result) => result.payment.amount_captured,
          async (error: unknown) => {
            if (!AppError.is(error) || error.code !== 'PRECONDITION_FAILED') throw error;
            // Captured by an earlier run whose answer was lost, or no longer capturable (expired, voided).
            const current = await upstreams.payment.call(paymentGet, { payment_id: paymentId }, context);
            if (current.amount_captured > 0) return current.amount_captured;
            throw new CheckoutRefused('payment_failed', `The payment could not be captured: ${error.message}`, error);
          },
        );
        return this.#advance(saga, [step], async (orders) => orders.update(order.id, { amount_captured: captured }), ctx);
      }
      case 'commit_inventory': {
        await refusing(upstreams.product.call(inventoryCommit, { order_reference: order.id, idempotency_key: key }, context), (error) =>
          error.code === 'PRECONDITION_FAILED' || error.code === 'NOT_FOUND' ? new CheckoutRefused('reservation_expired', error.message, error) : undefined,
        );
        const sagas = new SagaStore(db, ctx.signal);
        const completed = await sagas.advance(order.id, [step], DONE, { status: 'completed', finished_at: new Date() });
        // Only the run that recorded the end reports it (a racing run found it recorded).
        if (completed === undefined) return { saga: await sagas.get(order.id) };
        logCheckoutEnd(this.#deps.logger, 'confirmed', order, completed, attempt);
        return { saga: completed, order };
      }
    }
  }

  /**
   * Records that `steps` (the current step and any it did together with it) finished, together with their local
   * effect (or, without one, the order in hand), unless another run recorded the current step first (then its row is returned: a stalled job taken over
   * by another worker may race the original).
   */
  async #advance(
    saga: SagaRecord,
    steps: readonly [CheckoutStep, ...CheckoutStep[]],
    effect: ((orders: OrderStore, trx: Kysely<OrderDatabase>) => Promise<OrderRecord>) | OrderRecord,
    ctx: Pick<RequestContext, 'signal'>,
  ): Promise<StepResult> {
    const next = CHECKOUT_STEPS[CHECKOUT_STEPS.indexOf(steps[steps.length - 1] as CheckoutStep) + 1] ?? DONE;
    const { db } = this.#deps;
    if (typeof effect !== 'function') {
      // No local effect: the order in hand stays current.
      const sagas = new SagaStore(db, ctx.signal);
      const advanced = await sagas.advance(saga.order_id, steps, next);
      return advanced === undefined ? { saga: await sagas.get(saga.order_id) } : { saga: advanced, order: effect };
    }
    return inTransaction(db, async (trx) => {
      const sagas = new SagaStore(trx, ctx.signal);
      // The guarded update claims the step first (it locks the row), then the step's local effect joins it.
      const advanced = await sagas.advance(saga.order_id, steps, next);
      if (advanced === undefined) return { saga: await sagas.get(saga.order_id) };
      return { saga: advanced, order: await effect(new OrderStore(trx, ctx.signal), trx) };
    });
  }
}
