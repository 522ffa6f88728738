import type { z } from 'zod';
import type { OrderSnapshot, OrderStatus, orderSchema } from '@mcpfed/contract-order';
import type { OrderLineRecord, OrderRecord } from '../store/order-store.ts';

/** An order as tools return it. */
export type OrderView = z.output<typeof orderSchema>;

const COUNTED: ReadonlySet<OrderStatus> = new Set(['confirmed', 'fulfilled', 'delivered', 'cancelled', 'partially_refunded', 'refunded']);

/** The wire shape of an order and its lines. */
export function toOrderView(order: OrderRecord, lines: readonly OrderLineRecord[]): OrderView {
  return {
    id: order.id,
    order_number: Number(order.order_number),
    customer_id: order.customer_id,
    status: order.status,
    version: order.version,
    currency: order.currency,
    total_amount: Number(order.total_amount),
    refunded_amount: Number(order.refunded_amount),
    lines: lines.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      unit_price: { amount: Number(line.unit_price), currency: order.currency },
      line_total: { amount: Number(line.line_total), currency: order.currency },
      refunded_quantity: line.refunded_quantity,
    })),
    payment: {
      payment_id: order.payment_id,
      payment_method: order.payment_method,
      capture_mode: order.capture_mode,
      amount_authorized: Number(order.amount_authorized),
      amount_captured: Number(order.amount_captured),
      amount_refunded: Number(order.refunded_amount),
    },
    reservation_id: order.reservation_id,
    shipping_address_id: order.shipping_address_id,
    failure_reason: (order.failure_reason as OrderView['failure_reason']) ?? null,
    failure_message: order.failure_message,
    tracking:
      order.tracking_carrier !== null && order.tracking_number !== null ? { carrier: order.tracking_carrier, tracking_number: order.tracking_number } : null,
    placed_at: order.placed_at.toISOString(),
    updated_at: order.updated_at.toISOString(),
  };
}

/**
 * The snapshot an order event carries. `counted`: the order was confirmed (paid or authorized) and did not fail;
 * `net_amount`: what the customer keeps paying (0 once cancelled, else total minus refunds).
 */
export function snapshotOf(order: OrderRecord): OrderSnapshot {
  const total = Number(order.total_amount);
  const net = order.status === 'cancelled' ? 0 : Math.max(0, total - Number(order.refunded_amount));
  return {
    order_id: order.id,
    customer_id: order.customer_id,
    status: order.status,
    order_version: order.version,
    counted: COUNTED.has(order.status) && order.confirmed_at !== null,
    total_amount: total,
    net_amount: net,
    currency: order.currency,
    placed_at: order.placed_at.toISOString(),
  };
}
