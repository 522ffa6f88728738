import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { paymentDetailSchema, paymentIdSchema } from './schemas.ts';

/** Reads one payment with its refunds. */
export const paymentGet = defineTool({
  name: 'payment_get',
  title: 'Get payment',
  description:
    'Reads one payment: order_ref, customer, method (brand, last4), status, every amount in integer minor ' +
    'units (authorized, captured, refunded, refund pending, refundable), expiry of an uncaptured ' +
    'authorization and its latest refunds. Read it before capturing, voiding or refunding. Returns the ' +
    "payment with refunds and refund_count. On failure: NOT_FOUND (find an order's payments with " +
    'payment_search).',
  guide:
    'Reads one payment: order_ref, customer, payment method (brand and last4), status, every amount in integer ' +
    'minor units of currency (authorized, captured, refunded, refund pending, refundable), expiry of an uncaptured ' +
    'authorization, and its latest refunds. Use it to check the state before capturing, voiding or refunding. ' +
    'Returns the payment with refunds and refund_count. ' +
    'On failure: NOT_FOUND for an unknown id (find payments of an order with payment_search).',
  input: z.strictObject({ payment_id: paymentIdSchema }),
  output: paymentDetailSchema,
  scopes: ['payment:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
