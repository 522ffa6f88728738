import { AppError } from '@mcpfed/errors';
import type { OrderEventType, OrderStatus } from '@mcpfed/contract-order';

/** Who makes a transition: a checkout step or a tool. */
export type TransitionCause = 'checkout' | 'order_cancel' | 'order_refund' | 'order_fulfill' | 'order_mark_delivered';

/** The allowed transitions of an order, with what makes each (also served as `orders://state-machine`). */
export const ORDER_TRANSITIONS: ReadonlyArray<{ from: OrderStatus; to: OrderStatus; by: TransitionCause }> = Object.freeze([
  { from: 'pending', to: 'confirmed', by: 'checkout' },
  { from: 'pending', to: 'failed', by: 'checkout' },
  // After confirmation the checkout can still fail (capture refused, reservation expired): it then refunds or voids.
  { from: 'confirmed', to: 'failed', by: 'checkout' },
  { from: 'confirmed', to: 'fulfilled', by: 'order_fulfill' },
  { from: 'confirmed', to: 'cancelled', by: 'order_cancel' },
  { from: 'fulfilled', to: 'delivered', by: 'order_mark_delivered' },
  { from: 'confirmed', to: 'partially_refunded', by: 'order_refund' },
  { from: 'confirmed', to: 'refunded', by: 'order_refund' },
  { from: 'fulfilled', to: 'partially_refunded', by: 'order_refund' },
  { from: 'fulfilled', to: 'refunded', by: 'order_refund' },
  { from: 'delivered', to: 'partially_refunded', by: 'order_refund' },
  { from: 'delivered', to: 'refunded', by: 'order_refund' },
  { from: 'partially_refunded', to: 'partially_refunded', by: 'order_refund' },
  { from: 'partially_refunded', to: 'refunded', by: 'order_refund' },
]);

const EVENT_OF: Readonly<Record<OrderStatus, OrderEventType>> = Object.freeze({
  pending: 'order.placed',
  confirmed: 'order.confirmed',
  failed: 'order.failed',
  fulfilled: 'order.fulfilled',
  delivered: 'order.delivered',
  cancelled: 'order.cancelled',
  partially_refunded: 'order.refunded',
  refunded: 'order.refunded',
});

/** The event type that reports an order reaching `status`. */
export function eventTypeOf(status: OrderStatus): OrderEventType {
  return EVENT_OF[status];
}

/** Whether `by` may move an order from `from` to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus, by: TransitionCause): boolean {
  return ORDER_TRANSITIONS.some((t) => t.from === from && t.to === to && t.by === by);
}

/** Throws PRECONDITION_FAILED (details.status) unless `by` may move the order from `from` to `to`. */
export function assertTransition(orderId: string, from: OrderStatus, to: OrderStatus, by: TransitionCause): void {
  if (!canTransition(from, to, by)) {
    throw new AppError('PRECONDITION_FAILED', `Order ${orderId} is ${from}; ${by === 'checkout' ? 'checkout' : by} cannot make it ${to}.`, {
      details: { order_id: orderId, status: from, wanted: to },
    });
  }
}
