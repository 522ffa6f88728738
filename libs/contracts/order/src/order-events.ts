import { z } from 'zod';
import { cursorSchema, defineTool, limitSchema, nextCursorSchema } from '@mcpfed/contract-common';
import { ORDER_EVENT_TYPES, orderEventSchema } from './order-event.ts';
import { orderCustomerIdSchema, orderIdSchema } from './schemas.ts';

/** Reads the order event outbox as a cursor feed. */
export const orderEvents = defineTool({
  name: 'order_events',
  title: 'Order event feed',
  description:
    'Reads order events (the outbox other domains are fed from) in commit order, a feed that never skips ' +
    'one: each a snapshot of the order after one change (order.placed, confirmed, failed, cancelled, ' +
    'fulfilled, delivered, refunded). Keep next_cursor (never null) and call again later for newer ones. ' +
    'Filter by order_id, customer_id or types. Returns { items: [{ event, published }], next_cursor }. On ' +
    'failure: VALIDATION_FAILED for a bad cursor (start again without it).',
  guide:
    'Reads order events (the outbox other domains are fed from) in the order they were committed, as a feed that ' +
    'never skips an event (one committed late comes after what you have read): each event is a snapshot of ' +
    'the order after one change (type order.placed, order.confirmed, order.failed, order.cancelled, ' +
    'order.fulfilled, order.delivered, order.refunded). Keep next_cursor and call again later to get only newer ' +
    'events; next_cursor is never null, so a feed can be followed forever. Filter by order_id, customer_id or types. ' +
    'Returns { items: [{ event, published }], next_cursor }: published tells whether the relay has delivered it to ' +
    'subscribers yet. Amounts are integer minor units. On failure: VALIDATION_FAILED for a bad cursor (start again ' +
    'without it).',
  input: z.strictObject({
    filter: z
      .strictObject({
        order_id: orderIdSchema.optional(),
        customer_id: orderCustomerIdSchema.optional(),
        types: z.array(z.enum(ORDER_EVENT_TYPES)).min(1).max(ORDER_EVENT_TYPES.length).optional(),
      })
      .optional(),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  }),
  output: z.object({
    items: z.array(z.object({ event: orderEventSchema, published: z.boolean() })),
    next_cursor: nextCursorSchema,
  }),
  scopes: ['order:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
