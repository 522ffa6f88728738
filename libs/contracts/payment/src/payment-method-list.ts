import { z } from 'zod';
import { cursorSchema, defineTool, limitSchema, nextCursorSchema } from '@mcpfed/contract-common';
import { payingCustomerIdSchema, paymentMethodSchema } from './schemas.ts';

/** Lists a customer's attached payment methods. */
export const paymentMethodList = defineTool({
  name: 'payment_method_list',
  title: 'List payment methods',
  description:
    "Lists a customer's attached payment methods, newest first, as brand and last four digits; pick " +
    'payment_method for payment_authorize or order_place here. Returns { items, next_cursor }; an unknown ' +
    'customer has none. On failure: VALIDATION_FAILED for a malformed customer id or a bad cursor (start ' +
    'again without it).',
  guide:
    "Lists a customer's attached payment methods, newest first, as brand and last four digits (never the card " +
    'token). Use it to pick the payment_method for payment_authorize. Returns { items, next_cursor }; pass ' +
    'next_cursor as cursor for the next page (null means no more). An unknown customer simply has no methods. ' +
    'On failure: VALIDATION_FAILED for a malformed customer id or a bad cursor (start again without it).',
  input: z.strictObject({
    customer_id: payingCustomerIdSchema,
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  }),
  output: z.object({
    items: z.array(paymentMethodSchema),
    next_cursor: nextCursorSchema,
  }),
  scopes: ['payment:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
