import { z } from 'zod';
import { cursorSchema, defineTool, limitSchema, nextCursorSchema } from '@mcpfed/contract-common';
import { CUSTOMER_EVENT_TYPES, customerIdSchema, timelineEventSchema } from './schemas.ts';

/** Lists a customer's events, newest first. */
export const customerTimeline = defineTool({
  name: 'customer_timeline',
  title: 'Customer timeline',
  description:
    'Lists what happened to a customer, newest first: creation, profile updates (field names only), ' +
    'status changes with reasons, addresses, notes, anonymization; filter.types limits the types. Returns ' +
    '{ items, next_cursor }; pass next_cursor as cursor with the same filter for older events. On ' +
    'failure: NOT_FOUND for an unknown customer; VALIDATION_FAILED for a bad cursor (start again).',
  guide:
    'Lists what happened to a customer, newest first: creation, profile updates (field names only), status ' +
    'changes with reasons, addresses added/removed, notes and anonymization. Use it to explain the current state ' +
    'of a customer or before contacting them. Optional filter.types limits the event types. Returns ' +
    '{ items, next_cursor }; pass next_cursor as cursor (with the same filter) for older events, null means no more. ' +
    'On failure: NOT_FOUND for an unknown customer; VALIDATION_FAILED for a bad cursor (start again without it).',
  input: z.strictObject({
    customer_id: customerIdSchema,
    filter: z
      .strictObject({
        types: z.array(z.enum(CUSTOMER_EVENT_TYPES)).min(1).max(CUSTOMER_EVENT_TYPES.length).optional(),
      })
      .optional(),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  }),
  output: z.object({
    items: z.array(timelineEventSchema),
    next_cursor: nextCursorSchema,
  }),
  scopes: ['customer:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
