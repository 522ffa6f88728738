import { z } from 'zod';
import { defineTool, expectedVersionSchema, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { orderIdSchema, orderSchema } from './schemas.ts';

/** Marks a confirmed order as shipped. */
export const orderFulfill = defineTool({
  name: 'order_fulfill',
  title: 'Fulfill (ship) an order',
  description:
    'Marks a confirmed order as shipped with its tracking; with capture_mode on_fulfillment it captures ' +
    'the payment first. Needs expected_version (order_get). After a TIMEOUT retry with the SAME ' +
    'idempotency_key (nothing is captured twice). Returns { order, captured_amount (0 when captured at ' +
    'checkout), replayed }, status fulfilled. On failure: PRECONDITION_FAILED when not confirmed, its ' +
    'checkout still runs, or the capture was refused (cancel it); CONFLICT for a stale expected_version ' +
    'or (retryable) while a cancel, refund or fulfilment runs; VALIDATION_FAILED; NOT_FOUND; ' +
    'UPSTREAM_UNAVAILABLE or TIMEOUT: retry with the same key.',
  guide:
    'Marks a confirmed order as shipped with its tracking; with capture_mode on_fulfillment it captures the ' +
    'payment first (nothing ships unpaid). Needs expected_version. idempotency_key is required: after a TIMEOUT ' +
    'retry with the SAME key (replayed=true). Returns { order, captured_amount (integer minor units captured by ' +
    'this call, 0 when it was captured at checkout), replayed } with status "fulfilled". ' +
    'On failure: PRECONDITION_FAILED when the order is not confirmed (details.status) or its checkout is still ' +
    'running, or the capture was refused (the authorization expired: cancel the order); CONFLICT for a stale ' +
    'expected_version, or (retryable) while another cancel, refund or fulfilment of the order is in progress; ' +
    'VALIDATION_FAILED for text that cannot be stored (e.g. a NUL character); NOT_FOUND for an unknown order; ' +
    'UPSTREAM_UNAVAILABLE or TIMEOUT - retry with the same key (nothing is captured twice).',
  input: z.strictObject({
    order_id: orderIdSchema,
    expected_version: expectedVersionSchema,
    carrier: z.string().trim().min(1).max(60).describe('Shipping carrier, e.g. "DHL".'),
    tracking_number: z.string().trim().min(1).max(100),
    idempotency_key: idempotencyKeySchema,
  }),
  output: z.object({
    order: orderSchema,
    captured_amount: z.number().int().min(0),
    replayed: replayedSchema,
  }),
  scopes: ['order:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  idempotency: 'required',
  deadlineMs: 20_000,
});
