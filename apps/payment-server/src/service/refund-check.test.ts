import { describe, expect, it } from 'vitest';
import { AppError } from '@mcpfed/errors';
import type { PaymentRow } from '../store/payment-store.ts';
import { DEFAULT_PAYMENT_LIMITS } from './payment-limits.ts';
import { checkRefund, isRefundable } from './refund-check.ts';

const at = new Date('2026-03-01T00:00:00Z');

function payment(patch: Partial<PaymentRow>): PaymentRow {
  return {
    id: 'pay_01j9z3k8q4m2n6p7r8s9t0v1w2',
    order_ref: 'ord-1',
    customer_id: 'cus_01j9jx2rc3re7ejd42xbz421kr',
    payment_method_id: 'pm_01j9z3k8q4m2n6p7r8s9t0v1w2',
    currency: 'EUR',
    status: 'captured',
    void_reason: null,
    amount_authorized: '5000',
    amount_captured: '5000',
    amount_refunded: '1000',
    amount_refund_pending: '500',
    provider: 'sandbox',
    provider_charge_id: 'ch_1',
    busy_operation_id: null,
    created_by: 'agent',
    created_at: at,
    captured_at: at,
    voided_at: null,
    expires_at: null,
    updated_at: at,
    method_brand: 'visa',
    method_last4: '4242',
    ...patch,
  };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return AppError.is(error) ? error.code : 'not an AppError';
  }
}

describe('checkRefund', () => {
  it('returns what is refundable now: captured minus refunded minus pending', () => {
    expect(checkRefund(payment({}), { amount: 3500, currency: 'EUR' }, DEFAULT_PAYMENT_LIMITS)).toBe(3500);
  });

  it('refuses one minor unit more than is refundable now, and says refunds are in progress', () => {
    expect(() => checkRefund(payment({}), { amount: 3501, currency: 'EUR' }, DEFAULT_PAYMENT_LIMITS)).toThrow(
      expect.objectContaining({ code: 'PRECONDITION_FAILED', details: { amount_refundable: 3500, requested: 3501, currency: 'EUR' } }),
    );
    expect(() => checkRefund(payment({}), { amount: 3501, currency: 'EUR' }, DEFAULT_PAYMENT_LIMITS)).toThrow(/other refunds are in progress/);
  });

  it('refuses another currency, an uncaptured payment and an amount above the per-call maximum', () => {
    expect(codeOf(() => checkRefund(payment({}), { amount: 100, currency: 'USD' }, DEFAULT_PAYMENT_LIMITS))).toBe('VALIDATION_FAILED');
    expect(
      codeOf(() =>
        checkRefund(
          payment({ status: 'authorized', amount_captured: '0', amount_refunded: '0', amount_refund_pending: '0' }),
          { amount: 100, currency: 'EUR' },
          DEFAULT_PAYMENT_LIMITS,
        ),
      ),
    ).toBe('PRECONDITION_FAILED');
    expect(codeOf(() => checkRefund(payment({}), { amount: 200, currency: 'EUR' }, { ...DEFAULT_PAYMENT_LIMITS, maxRefundMinor: 199 }))).toBe('LIMIT_EXCEEDED');
  });

  it('isRefundable agrees with checkRefund', () => {
    expect(isRefundable(payment({}), { amount: 3500, currency: 'EUR' }, DEFAULT_PAYMENT_LIMITS)).toBe(true);
    expect(isRefundable(payment({}), { amount: 3501, currency: 'EUR' }, DEFAULT_PAYMENT_LIMITS)).toBe(false);
  });
});
