import type { z } from 'zod';
import type { paymentMethodSchema, paymentSchema, refundSchema } from '@mcpfed/contract-payment';
import type { PaymentMethodRow } from '../store/payment-method-store.ts';
import type { PaymentRow, RefundRow } from '../store/payment-store.ts';

/** The wire shape of a payment. */
export type PaymentOutput = z.input<typeof paymentSchema>;
/** The wire shape of a refund. */
export type RefundOutput = z.input<typeof refundSchema>;
/** The wire shape of a payment method. */
export type PaymentMethodOutput = z.input<typeof paymentMethodSchema>;

/** A payment as tools return it; amounts become numbers (pg reads bigint as text). */
export function paymentView(row: PaymentRow): PaymentOutput {
  const captured = Number(row.amount_captured);
  const refunded = Number(row.amount_refunded);
  const pending = Number(row.amount_refund_pending);
  return {
    id: row.id,
    order_ref: row.order_ref,
    customer_id: row.customer_id,
    payment_method: { id: row.payment_method_id, brand: row.method_brand as PaymentOutput['payment_method']['brand'], last4: row.method_last4 },
    currency: row.currency as PaymentOutput['currency'],
    status: row.status,
    amount_authorized: Number(row.amount_authorized),
    amount_captured: captured,
    amount_refunded: refunded,
    amount_refund_pending: pending,
    amount_refundable: Math.max(0, captured - refunded - pending),
    void_reason: row.void_reason,
    provider: row.provider,
    provider_charge_id: row.provider_charge_id,
    created_at: row.created_at.toISOString(),
    captured_at: row.captured_at?.toISOString() ?? null,
    voided_at: row.voided_at?.toISOString() ?? null,
    expires_at: row.expires_at?.toISOString() ?? null,
    updated_at: row.updated_at.toISOString(),
  };
}

/** A refund as tools return it. */
export function refundView(row: RefundRow): RefundOutput {
  return {
    id: row.id,
    payment_id: row.payment_id,
    amount: Number(row.amount),
    currency: row.currency as RefundOutput['currency'],
    reason: row.reason,
    status: row.status,
    provider_refund_id: row.provider_refund_id,
    created_at: row.created_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
  };
}

/** A payment method as tools return it: never the token or the provider's reference. */
export function paymentMethodView(row: PaymentMethodRow): PaymentMethodOutput {
  return {
    id: row.id,
    customer_id: row.customer_id,
    brand: row.brand,
    last4: row.last4,
    exp_month: row.exp_month,
    exp_year: row.exp_year,
    created_at: row.created_at.toISOString(),
  };
}
