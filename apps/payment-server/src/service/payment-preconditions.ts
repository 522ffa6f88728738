import { AppError } from '@mcpfed/errors';
import type { OperationRow } from '../store/operation-store.ts';
import type { PaymentRow, PaymentStore } from '../store/payment-store.ts';
import { paymentNotFound } from './payment-not-found.ts';

/** The payment, locked until the transaction ends; NOT_FOUND when there is none. */
export async function lockPayment(payments: PaymentStore, id: string): Promise<PaymentRow> {
  const payment = await payments.lock(id);
  if (payment === undefined) throw paymentNotFound(id);
  return payment;
}

/** Refuses (VALIDATION_FAILED) an amount given in another currency than the payment's. */
export function requireCurrency(payment: PaymentRow, currency: string): void {
  if (currency !== payment.currency) {
    throw new AppError(
      'VALIDATION_FAILED',
      `currency ${currency} does not match payment ${payment.id}, which is in ${payment.currency}; give the amount in ${payment.currency} minor units.`,
      { details: { issues: [{ path: 'currency', message: `must be ${payment.currency}` }], payment_currency: payment.currency } },
    );
  }
}

/** Refuses (PRECONDITION_FAILED) to capture or void a payment that is no longer authorized. */
export function requireAuthorized(payment: PaymentRow, verb: 'captured' | 'voided'): void {
  if (payment.status === 'authorized') return;
  const state = payment.status === 'voided' && payment.void_reason === 'expired' ? 'expired (voided automatically)' : payment.status;
  const next = verb === 'voided' && payment.status !== 'voided' ? ' Refund a captured payment with payment_refund instead.' : '';
  throw new AppError('PRECONDITION_FAILED', `Payment ${payment.id} is ${state}; only an authorized payment can be ${verb}.${next}`, {
    details: { status: payment.status, void_reason: payment.void_reason },
  });
}

/** Refuses (CONFLICT, retryable) while another capture or void works on the payment. */
export function requireIdle(payment: PaymentRow): void {
  if (payment.busy_operation_id === null) return;
  throw new AppError('CONFLICT', `Another capture or void of payment ${payment.id} is in progress; retry in a few seconds.`, {
    retryable: true,
    details: { payment_id: payment.id },
  });
}

/** A capture or void records only over the busy marker it set itself: anything else is a broken invariant. */
export function requireOwnedBy(payment: PaymentRow, op: OperationRow): void {
  if (payment.status !== 'authorized' || payment.busy_operation_id !== op.id) {
    throw new AppError('INTERNAL', `payment ${payment.id} changed under ${op.kind} operation ${op.id}`);
  }
}
