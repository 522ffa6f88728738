import { paymentCapture, paymentGet, paymentVoid } from '@mcpfed/contract-payment';
import { inventoryAdjust } from '@mcpfed/contract-product';
import { AppError } from '@mcpfed/errors';
import type { OperationTool } from '../store/order-database.ts';
import { OrderStore } from '../store/order-store.ts';
import { operationKey } from './operation-key.ts';
import type { OrderChanges } from './order-changes.ts';
import { cancelPreview } from './order-operation-plans.ts';
import type { CancelPlan, FulfillPlan, RefundPlan, Restock } from './order-operation-plans.ts';
import { OperationRefused, RELEASE_ORDER } from './order-operation.ts';
import type { OperationSteps } from './order-operation.ts';
import { toOrderView } from './order-view.ts';
import { refundPayment } from './payment-refunder.ts';
import type { UpstreamCallContext, Upstreams } from './upstreams.ts';

/** Collaborators of {@link orderOperationSteps}. */
export interface OrderOperationStepsDeps {
  changes: OrderChanges;
  upstreams: Upstreams;
}

/**
 * What order_cancel, order_refund and order_fulfill do around their remote calls: the calls (money first, with keys
 * derived from the operation) and the local change they record. Works from the stored plan alone, so a retry with
 * the same key, or the sweeper, can finish an operation whose caller is gone.
 */
export function orderOperationSteps(deps: OrderOperationStepsDeps): Readonly<Record<OperationTool, OperationSteps>> {
  const { changes, upstreams } = deps;

  const voidPayment = async (paymentId: string, key: string, context: UpstreamCallContext): Promise<void> => {
    try {
      await upstreams.payment.call(paymentVoid, { payment_id: paymentId, idempotency_key: key }, context);
    } catch (error) {
      if (!AppError.is(error) || error.code !== 'PRECONDITION_FAILED') throw error;
      const current = await upstreams.payment.call(paymentGet, { payment_id: paymentId }, context);
      if (current.status !== 'voided') throw error;
    }
  };

  /** Puts units back in stock as returned, at the locations they were taken from. */
  const restock = async (units: readonly Restock[], key: string, orderId: string, context: UpstreamCallContext): Promise<void> => {
    for (const { sku, location, units: delta } of units) {
      await upstreams.product.call(
        inventoryAdjust,
        { sku, location, delta, reason: 'returned', reference: orderId, idempotency_key: `${key}:${sku}:${location}` },
        context,
      );
    }
  };

  const cancel: OperationSteps = {
    act: async (raw, op, context) => {
      const plan = raw as CancelPlan;
      const base = operationKey('cancel', op);
      // The money step goes first: a refusal there moved nothing, so the whole cancel is refused.
      await refusedMovesNothing(async () => {
        if (plan.payment_action === 'void' && plan.payment_id !== null) await voidPayment(plan.payment_id, `${base}:void`, context);
        if (plan.payment_action === 'refund' && plan.payment_id !== null) {
          await refundPayment(
            upstreams.payment,
            { paymentId: plan.payment_id, amount: plan.refund_amount, currency: plan.currency, reason: 'order_canceled', idempotencyKey: `${base}:refund` },
            context,
          );
        }
      });
      await restock(plan.restock, `${base}:restock`, op.order_id, context);
      return {};
    },
    record: async (trx, order, raw, _result, ctx) => {
      const plan = raw as CancelPlan;
      const patch = { ...RELEASE_ORDER, cancelled_at: new Date(), refunded_amount: Number(order.refunded_amount) + plan.refund_amount };
      const updated = await changes.transition(trx, order, 'cancelled', 'order_cancel', patch, ctx);
      const lines = await new OrderStore(trx, ctx.signal).lines([order.id]);
      return { order: toOrderView(updated, lines), dry_run: false, ...cancelPreview(plan), replayed: false };
    },
  };

  const refund: OperationSteps = {
    act: async (raw, op, context) => {
      const plan = raw as RefundPlan;
      const base = operationKey('refund', op);
      const refunded = await refusedMovesNothing(() =>
        refundPayment(
          upstreams.payment,
          { paymentId: plan.payment_id, amount: plan.amount, currency: plan.currency, reason: plan.reason, idempotencyKey: `${base}:refund` },
          context,
        ),
      );
      await restock(plan.restock, `${base}:restock`, op.order_id, context);
      return { refund_id: refunded.refund?.id ?? null };
    },
    record: async (trx, order, raw, result, ctx) => {
      const plan = raw as RefundPlan;
      const orders = new OrderStore(trx, ctx.signal);
      await orders.addRefundedQuantities(order.id, plan.lines);
      const total = Number(order.refunded_amount) + plan.amount;
      const to = total >= Number(order.amount_captured) ? 'refunded' : 'partially_refunded';
      const updated = await changes.transition(trx, order, to, 'order_refund', { ...RELEASE_ORDER, refunded_amount: total }, ctx);
      const lines = await orders.lines([order.id]);
      return {
        order: toOrderView(updated, lines),
        dry_run: false,
        refund_amount: plan.amount,
        payment_refund_id: result['refund_id'] ?? null,
        replayed: false,
      };
    },
  };

  const fulfill: OperationSteps = {
    act: async (raw, op, context) => {
      const plan = raw as FulfillPlan;
      if (!plan.capture || plan.payment_id === null) return { captured: plan.amount_captured, captured_now: 0 };
      const paymentId = plan.payment_id;
      const key = `${operationKey('fulfill', op)}:capture`;
      const captured = await upstreams.payment.call(paymentCapture, { payment_id: paymentId, idempotency_key: key }, context).then(
        (result) => result.payment.amount_captured,
        (error: unknown) => {
          if (AppError.is(error) && error.code === 'PRECONDITION_FAILED') {
            throw new OperationRefused(
              new AppError('PRECONDITION_FAILED', `The payment of order ${op.order_id} cannot be captured (${error.message}); cancel the order.`, {
                details: { order_id: op.order_id, status: 'confirmed' },
                cause: error,
              }),
            );
          }
          if (AppError.is(error) && !error.retryable) throw new OperationRefused(error);
          throw error;
        },
      );
      return { captured, captured_now: captured };
    },
    record: async (trx, order, raw, result, ctx) => {
      const plan = raw as FulfillPlan;
      const patch = {
        ...RELEASE_ORDER,
        fulfilled_at: new Date(),
        amount_captured: Number(result['captured']),
        tracking_carrier: plan.carrier,
        tracking_number: plan.tracking_number,
      };
      const updated = await changes.transition(trx, order, 'fulfilled', 'order_fulfill', patch, ctx);
      const lines = await new OrderStore(trx, ctx.signal).lines([order.id]);
      return { order: toOrderView(updated, lines), captured_amount: Number(result['captured_now']), replayed: false };
    },
  };

  return Object.freeze({ order_cancel: cancel, order_refund: refund, order_fulfill: fulfill });
}

/** Runs the first money step: a non-retryable refusal there moved nothing, so the operation fails with it. */
async function refusedMovesNothing<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (AppError.is(error) && !error.retryable) throw new OperationRefused(error);
    throw error;
  }
}
