import { z } from 'zod';
import { cursorSchema, defineTool, limitSchema, nextCursorSchema } from '@mcpfed/contract-common';
import { PAYMENT_STATUSES, currencyCodeSchema, orderRefSchema, payingCustomerIdSchema, paymentSchema, timestampSchema } from './schemas.ts';

/** Sort orders of payment_search. */
export const PAYMENT_SEARCH_SORTS = ['created_at_desc', 'created_at_asc'] as const;

/** Finds payments by order, customer, status, currency and creation time. */
export const paymentSearch = defineTool({
  name: 'payment_search',
  title: 'Search payments',
  description:
    'Finds payments by order_ref, customer_id, status, currency and a created_at range (all optional, ' +
    'ANDed), newest first by default; then payment_get. Returns { items, next_cursor } (integer minor ' +
    'units); keep filter and sort with cursor. On failure: VALIDATION_FAILED for a bad or mismatched ' +
    'cursor (start again) or created_from not before created_to.',
  guide:
    'Finds payments by order_ref, customer_id, status, currency and a created_at range (all optional, combined ' +
    'with AND), newest first by default. Use it to find the payments of an order or a customer; then payment_get ' +
    'for refunds. Returns { items, next_cursor }: up to limit payments (amounts in integer minor units of their ' +
    'currency) and a cursor for the next page (null on the last page); keep the same filter and sort with cursor. ' +
    'On failure: VALIDATION_FAILED for a bad or mismatched cursor (start again without it) or created_from not ' +
    'before created_to.',
  input: z.strictObject({
    filter: z
      .strictObject({
        order_ref: orderRefSchema.optional(),
        customer_id: payingCustomerIdSchema.optional(),
        status: z.enum(PAYMENT_STATUSES).optional(),
        currency: currencyCodeSchema.optional(),
        created_from: timestampSchema.optional().describe('Only payments created at or after this time.'),
        created_to: timestampSchema.optional().describe('Only payments created before this time.'),
      })
      .optional(),
    sort: z.enum(PAYMENT_SEARCH_SORTS).default('created_at_desc').describe('Default created_at_desc (newest first).'),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  }),
  output: z.object({
    items: z.array(paymentSchema),
    next_cursor: nextCursorSchema,
  }),
  scopes: ['payment:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
