import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { PAYMENT_STATUSES, currencyCodeSchema, paymentIdSchema, reportedAmountSchema } from './schemas.ts';

/** How much of a payment can still be refunded, and by this caller right now. */
export const paymentRefundable = defineTool({
  name: 'payment_refundable',
  title: 'Refundable amount',
  description:
    'Tells how much of a payment can still be refunded, before payment_refund; integer minor units. ' +
    'amount_refundable = captured - refunded - refunds in progress; max_refund_now also respects your ' +
    "per-call and 24-hour refund limits. Refunds above confirmation_threshold wait for a person's " +
    'approval. Returns those amounts with the limits, refundable and not_refundable_reason. On failure: ' +
    'NOT_FOUND.',
  guide:
    'Tells how much of a payment can still be refunded, before you call payment_refund. All amounts are integer ' +
    'minor units of currency. amount_refundable = captured - refunded - refunds in progress; max_refund_now also ' +
    'respects your per-call limit and what is left of your rolling 24-hour refund limit in this currency. Refunds ' +
    'above confirmation_threshold wait for the approval of the person asked for (payment_refund answers the link). ' +
    'Returns { payment_id, currency, status, amount_captured, amount_refunded, amount_refund_pending, ' +
    'amount_refundable, refundable, not_refundable_reason, confirmation_threshold, max_refund_per_call, ' +
    'daily_refund_limit, daily_refund_used, max_refund_now }. ' +
    'On failure: NOT_FOUND for an unknown payment id.',
  input: z.strictObject({ payment_id: paymentIdSchema }),
  output: z.object({
    payment_id: paymentIdSchema,
    currency: currencyCodeSchema,
    status: z.enum(PAYMENT_STATUSES),
    amount_captured: reportedAmountSchema,
    amount_refunded: reportedAmountSchema,
    amount_refund_pending: reportedAmountSchema,
    amount_refundable: reportedAmountSchema,
    refundable: z.boolean().describe('Whether payment_refund can refund anything now.'),
    not_refundable_reason: z
      .enum(['not_captured', 'voided', 'fully_refunded', 'refunds_pending', 'daily_limit_reached'])
      .nullable()
      .describe('Why nothing can be refunded now; null when refundable.'),
    confirmation_threshold: reportedAmountSchema.describe("Refunds above this amount, asked for a person, wait for that person's approval."),
    max_refund_per_call: reportedAmountSchema,
    daily_refund_limit: reportedAmountSchema.describe('Your rolling 24-hour refund limit in this currency.'),
    daily_refund_used: reportedAmountSchema.describe('Refunded (or in progress) by you in this currency in the last 24 hours.'),
    max_refund_now: reportedAmountSchema.describe('The largest amount payment_refund would accept from you now.'),
  }),
  scopes: ['payment:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
