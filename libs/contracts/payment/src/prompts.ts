import { z } from 'zod';
import { definePrompt } from '@mcpfed/contract-common';
import { paymentIdSchema } from './schemas.ts';

/** Asks the model to review a refund request against the payment's state and the limits. */
export const paymentRefundReview = definePrompt({
  name: 'payment_refund_review',
  title: 'Refund review',
  description:
    'Preloads one payment, its refunds, what is refundable and the refund limits, and asks for a refund ' +
    'recommendation (amount, reason code, whether a person must approve) with the exact tool calls to make.',
  args: z.strictObject({ payment_id: paymentIdSchema }),
  scopes: ['payment:read'],
  completes: ['payment_id'],
});
