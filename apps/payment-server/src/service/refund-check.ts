import { AppError } from '@mcpfed/errors';
import type { PaymentRow } from '../store/payment-store.ts';
import { perCallLimitExceeded } from './limit-exceeded.ts';
import type { PaymentLimits } from './payment-limits.ts';
import { requireCurrency } from './payment-preconditions.ts';

/** The amount and currency of a refund, as the checks need them. */
export interface RefundAmount {
  readonly amount: number;
  readonly currency: string;
}

/**
 * The refund checks shared by the dry run, the approval request and the real call: the currency, a captured
 * payment, at most what is refundable now, at most the per-call maximum. Returns the refundable amount.
 */
export function checkRefund(payment: PaymentRow, refund: RefundAmount, limits: PaymentLimits): number {
  requireCurrency(payment, refund.currency);
  if (payment.status !== 'captured' && payment.status !== 'partially_refunded' && payment.status !== 'refunded') {
    throw new AppError(
      'PRECONDITION_FAILED',
      `Payment ${payment.id} is ${payment.status}; only captured money can be refunded.${payment.status === 'authorized' ? ' Release an uncaptured authorization with payment_void instead.' : ''}`,
      { details: { status: payment.status } },
    );
  }
  const refundable = Number(payment.amount_captured) - Number(payment.amount_refunded) - Number(payment.amount_refund_pending);
  if (refund.amount > refundable) {
    throw new AppError(
      'PRECONDITION_FAILED',
      `Cannot refund ${refund.amount}: only ${refundable} ${payment.currency} (minor units) of payment ${payment.id} is refundable${Number(payment.amount_refund_pending) > 0 ? ' now (other refunds are in progress)' : ''}.`,
      { details: { amount_refundable: refundable, requested: refund.amount, currency: payment.currency } },
    );
  }
  if (refund.amount > limits.maxRefundMinor) throw perCallLimitExceeded('refund', refund.amount, limits.maxRefundMinor, payment.currency);
  return refundable;
}

/** Whether {@link checkRefund} would pass. */
export function isRefundable(payment: PaymentRow, refund: RefundAmount, limits: PaymentLimits): boolean {
  try {
    checkRefund(payment, refund, limits);
    return true;
  } catch {
    return false;
  }
}
