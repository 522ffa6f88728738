import type { ContractInput } from '@mcpfed/contract-common';
import type { orderRefund } from '@mcpfed/contract-order';
import { AppError } from '@mcpfed/errors';
import type { OrderLineRecord, OrderRecord } from '../store/order-store.ts';

/** The scope a caller needs for an operation that gives money back. */
export const REFUND_SCOPE = 'payment:refund';

const REFUNDABLE_STATUSES = new Set(['confirmed', 'fulfilled', 'delivered', 'partially_refunded']);

/** Units to put back in stock at one location. */
export interface Restock {
  sku: string;
  location: string;
  units: number;
}

/** What order_cancel decided under the claim. */
export interface CancelPlan extends Record<string, unknown> {
  payment_action: 'void' | 'refund' | 'none';
  refund_amount: number;
  stock_action: 'restock' | 'none';
  payment_id: string | null;
  currency: string;
  restock: Restock[];
}

/** What order_refund decided under the claim. */
export interface RefundPlan extends Record<string, unknown> {
  amount: number;
  payment_id: string;
  currency: string;
  reason: ContractInput<typeof orderRefund>['reason'];
  lines: Array<{ sku: string; quantity: number }>;
  restock: Restock[];
}

/** What order_fulfill decided under the claim. */
export interface FulfillPlan extends Record<string, unknown> {
  capture: boolean;
  payment_id: string | null;
  amount_captured: number;
  carrier: string;
  tracking_number: string;
}

/** order_cancel's checks and plan: only a confirmed order; refund what was captured, else void; put back what was taken. */
export function cancelPlan(order: OrderRecord, lines: readonly OrderLineRecord[]): CancelPlan {
  if (order.status !== 'confirmed') throw new AppError('PRECONDITION_FAILED', cancelRefusal(order), { details: { order_id: order.id, status: order.status } });
  const captured = Number(order.amount_captured) - Number(order.refunded_amount);
  const restock = order.reservation_id === null ? [] : restockOf(lines.map((line) => ({ line, quantity: line.quantity - line.refunded_quantity })));
  return {
    payment_action: captured > 0 ? 'refund' : order.payment_id === null ? 'none' : 'void',
    refund_amount: Math.max(0, captured),
    stock_action: order.reservation_id === null ? 'none' : 'restock',
    payment_id: order.payment_id,
    currency: order.currency,
    restock,
  };
}

/** The part of a cancel plan order_cancel answers with. */
export function cancelPreview(plan: CancelPlan) {
  return { payment_action: plan.payment_action, refund_amount: plan.refund_amount, stock_action: plan.stock_action } as const;
}

/** FORBIDDEN for a cancel that would refund, asked by a caller without payment:refund. */
export function refundScopeMissing(order: OrderRecord, plan: CancelPlan): AppError {
  return new AppError(
    'FORBIDDEN',
    `Cancelling order ${order.id} refunds ${plan.refund_amount} ${plan.currency} (minor units) because its payment was captured, and giving money back needs the scope ${REFUND_SCOPE} as well as order:write. Nothing was done. Ask for a token with ${REFUND_SCOPE} (or have someone who holds it cancel); do not retry as is.`,
    { details: { order_id: order.id, payment_action: 'refund', required: ['order:write', REFUND_SCOPE], missing: [REFUND_SCOPE] } },
  );
}

/** order_refund's checks and plan: what is left to refund of the requested lines, capped at what was captured. */
export function refundPlan(order: OrderRecord, lines: readonly OrderLineRecord[], input: ContractInput<typeof orderRefund>): RefundPlan {
  const capturedLeft = Number(order.amount_captured) - Number(order.refunded_amount);
  if (!REFUNDABLE_STATUSES.has(order.status) || order.payment_id === null || capturedLeft <= 0) {
    throw new AppError(
      'PRECONDITION_FAILED',
      Number(order.amount_captured) === 0 && order.status === 'confirmed'
        ? `Order ${order.id} has not been paid yet (payment not captured): cancel it with order_cancel instead.`
        : `Order ${order.id} is ${order.status} with nothing left to refund.`,
      { details: { order_id: order.id, status: order.status } },
    );
  }
  const bySku = new Map(lines.map((line) => [line.sku, line]));
  const requested =
    input.lines ?? lines.filter((l) => l.quantity > l.refunded_quantity).map((l) => ({ sku: l.sku, quantity: l.quantity - l.refunded_quantity }));
  let amount = 0;
  const picked: Array<{ line: OrderLineRecord; quantity: number }> = [];
  for (const request of requested) {
    const line = bySku.get(request.sku);
    if (line === undefined) {
      throw new AppError('VALIDATION_FAILED', `${request.sku} is not on order ${order.id}.`, {
        details: { issues: [{ path: 'lines', message: `${request.sku} is not on the order` }] },
      });
    }
    const refundable = line.quantity - line.refunded_quantity;
    if (request.quantity > refundable) {
      throw new AppError('PRECONDITION_FAILED', `Only ${refundable} unit(s) of ${line.sku} are left to refund.`, {
        details: { order_id: order.id, sku: line.sku, refundable_quantity: refundable },
      });
    }
    amount += Number(line.unit_price) * request.quantity;
    picked.push({ line, quantity: request.quantity });
  }
  amount = Math.min(amount, capturedLeft);
  if (amount <= 0)
    throw new AppError('PRECONDITION_FAILED', `Nothing left to refund on order ${order.id}.`, { details: { order_id: order.id, status: order.status } });
  return {
    amount,
    payment_id: order.payment_id,
    currency: order.currency,
    reason: input.reason,
    lines: picked.map((p) => ({ sku: p.line.sku, quantity: p.quantity })),
    restock: input.restock ? restockOf(picked) : [],
  };
}

/** order_fulfill's checks and plan: only a confirmed order; capture first when nothing was captured yet. */
export function fulfillPlan(order: OrderRecord, carrier: string, trackingNumber: string): FulfillPlan {
  if (order.status !== 'confirmed') {
    throw new AppError('PRECONDITION_FAILED', `Order ${order.id} is ${order.status}; only a confirmed order can be fulfilled.`, {
      details: { order_id: order.id, status: order.status },
    });
  }
  const captured = Number(order.amount_captured);
  return {
    capture: captured === 0 && order.payment_id !== null,
    payment_id: order.payment_id,
    amount_captured: captured,
    carrier,
    tracking_number: trackingNumber,
  };
}

/** The units of each line to put back, spread over the locations they were taken from. */
function restockOf(picked: ReadonlyArray<{ line: OrderLineRecord; quantity: number }>): Restock[] {
  const restock: Restock[] = [];
  for (const { line, quantity } of picked) {
    let left = quantity;
    for (const allocation of line.allocations) {
      if (left <= 0) break;
      const units = Math.min(left, allocation.quantity);
      left -= units;
      if (units > 0) restock.push({ sku: line.sku, location: allocation.location, units });
    }
  }
  return restock;
}

/** Free text as PostgreSQL can store it: no NUL, no lone surrogate; else VALIDATION_FAILED naming the field. */
export function storableText(field: string, value: string): string {
  if (!value.includes('\u0000') && value.isWellFormed()) return value;
  throw new AppError('VALIDATION_FAILED', `${field} contains a character that cannot be stored (NUL or an unpaired surrogate). Remove it and retry.`, {
    details: { issues: [{ path: field, message: 'contains NUL or an unpaired UTF-16 surrogate' }] },
  });
}

function cancelRefusal(order: OrderRecord): string {
  switch (order.status) {
    case 'fulfilled':
    case 'delivered':
    case 'partially_refunded':
      return `Order ${order.id} is ${order.status}: it has shipped, so refund it with order_refund instead.`;
    default:
      return `Order ${order.id} is ${order.status}; there is nothing to cancel.`;
  }
}
