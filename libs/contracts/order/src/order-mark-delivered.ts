import { z } from 'zod';
import { defineTool, expectedVersionSchema } from '@mcpfed/contract-common';
import { orderIdSchema, orderSchema, orderTimestampSchema } from './schemas.ts';

/** Records that a shipped order arrived. */
export const orderMarkDelivered = defineTool({
  name: 'order_mark_delivered',
  title: 'Mark an order delivered',
  description:
    'Records that a fulfilled (shipped) order was delivered, optionally when (default now). Needs ' +
    'expected_version (order_get). Marking it again changes nothing (changed=false). Returns { order, ' +
    'changed }, status "delivered". On failure: PRECONDITION_FAILED when not fulfilled (details.status: ' +
    'order_fulfill first); CONFLICT for a stale expected_version (read the order again); NOT_FOUND for an ' +
    'unknown order.',
  guide:
    'Records that a fulfilled (shipped) order was delivered, optionally when (default now). Needs expected_version. ' +
    'Marking an already delivered order again changes nothing (changed=false). Returns { order, changed } with status ' +
    '"delivered". On failure: PRECONDITION_FAILED when the order is not fulfilled (details.status: ship it with ' +
    'order_fulfill first); CONFLICT for a stale expected_version (read the order again); NOT_FOUND for an unknown order.',
  input: z.strictObject({
    order_id: orderIdSchema,
    expected_version: expectedVersionSchema,
    delivered_at: orderTimestampSchema.optional().describe('When it arrived; default now. Not in the future.'),
  }),
  output: z.object({ order: orderSchema, changed: z.boolean() }),
  scopes: ['order:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
