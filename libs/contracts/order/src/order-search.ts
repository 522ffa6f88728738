import { z } from 'zod';
import { cursorSchema, defineTool, limitSchema, nextCursorSchema } from '@mcpfed/contract-common';
import { ORDER_STATUSES, orderCustomerIdSchema, orderSchema, orderTimestampSchema } from './schemas.ts';

/** Sort orders of order_search. */
export const ORDER_SEARCH_SORTS = ['placed_at_desc', 'placed_at_asc'] as const;

/** Finds orders by customer, status and placement time. */
export const orderSearch = defineTool({
  name: 'order_search',
  title: 'Search orders',
  description:
    'Finds orders by customer_id, status and a placed_at range (all optional, ANDed), newest first by ' +
    'default; then order_get. Returns { items, next_cursor } (integer minor units); keep filter and sort ' +
    'with cursor. On failure: VALIDATION_FAILED for a bad cursor (start again) or placed_from not before ' +
    'placed_to.',
  guide:
    'Finds orders by customer_id, status and a placed_at range (all optional, combined with AND), newest first by ' +
    "default. Use it to list a customer's orders or the failed orders of a day; then order_get for history. " +
    'Returns { items, next_cursor }: up to limit orders (amounts in integer minor units) and a cursor for the next ' +
    'page (null on the last); keep the same filter and sort with cursor. On failure: VALIDATION_FAILED for a bad ' +
    'cursor (start again without it) or placed_from not before placed_to.',
  input: z.strictObject({
    filter: z
      .strictObject({
        customer_id: orderCustomerIdSchema.optional(),
        status: z.enum(ORDER_STATUSES).optional(),
        placed_from: orderTimestampSchema.optional().describe('Only orders placed at or after this time.'),
        placed_to: orderTimestampSchema.optional().describe('Only orders placed before this time.'),
      })
      .optional(),
    sort: z.enum(ORDER_SEARCH_SORTS).default('placed_at_desc').describe('Default placed_at_desc (newest first).'),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  }),
  output: z.object({ items: z.array(orderSchema), next_cursor: nextCursorSchema }),
  scopes: ['order:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
