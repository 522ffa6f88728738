import { z } from 'zod';
import { approvalRequiredSchema, defineTool, dryRunSchema, expectedVersionSchema, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { orderIdSchema, orderSchema } from './schemas.ts';

/** Reasons a caller gives for a cancellation. */
export const CANCEL_REASONS = ['requested_by_customer', 'out_of_stock', 'fraud_suspected', 'other'] as const;

/** Cancels a confirmed order that has not shipped. */
export const orderCancel = defineTool({
  name: 'order_cancel',
  title: 'Cancel an order',
  description:
    'Cancels a confirmed, unfulfilled order (find one with order_get or order_search): an uncaptured ' +
    'payment is voided, a captured one refunded in full (needs payment:refund too); the stock goes back. ' +
    "Call with dry_run=true first, then without, with the order's version as expected_version. After a " +
    'TIMEOUT retry with the SAME idempotency_key. Returns { order, dry_run, payment_action, ' +
    'refund_amount, stock_action, replayed }. Above the approval threshold it refunds nothing and returns ' +
    'approval { approval_url }: give the user the link, then call again with the SAME key. On failure: ' +
    'PRECONDITION_FAILED when it cannot be cancelled (fulfilled: order_refund); FORBIDDEN (no ' +
    'payment:refund, or declined); CONFLICT (stale version); NOT_FOUND; UPSTREAM_UNAVAILABLE or TIMEOUT: ' +
    'retry with the same key.',
  guide:
    'Cancels a confirmed order that has not been fulfilled: an uncaptured payment is voided, a captured one is ' +
    'refunded in full; the stock goes back (an active reservation is released, committed stock is put back as ' +
    'returned). A cancel that refunds (payment_action "refund") gives money back and needs the scope ' +
    'payment:refund as well. Call it with dry_run=true first to see what would happen (changes nothing), then without. Needs the ' +
    "order's current version as expected_version. idempotency_key is required: after a TIMEOUT retry with the SAME " +
    'key (replayed=true). Returns { order, dry_run, payment_action (void | refund | none), refund_amount (integer ' +
    'minor units), stock_action (release | restock | none), replayed }. ' +
    'On failure: PRECONDITION_FAILED when the order cannot be cancelled (details.status: pending - wait for the ' +
    'checkout; failed or cancelled - nothing to do; fulfilled or delivered - use order_refund); FORBIDDEN when it ' +
    'would refund and the token lacks payment:refund (nothing is done); CONFLICT when expected_version is not the ' +
    'current version, or (retryable) while another cancel, refund or fulfilment of the order is in progress (read ' +
    'the order again); NOT_FOUND for an unknown order; UPSTREAM_UNAVAILABLE or TIMEOUT when the payment or product ' +
    'server did not answer or the change is not recorded yet (retry with the same key; nothing is done twice). ' +
    "A refund above the payment server's approval threshold (policy://payment/limits) waits for the caller's " +
    "person, who decides on the payment server's page: the first call refunds nothing and returns approval " +
    '{ status "approval_required", approval_url, next_step }; ' +
    'once the user approved at that link, call again with the SAME key and arguments. Declined: FORBIDDEN ' +
    '(details.approval "declined"); expired: PRECONDITION_FAILED (details.approval "expired").',
  input: z.strictObject({
    order_id: orderIdSchema,
    expected_version: expectedVersionSchema,
    reason: z.enum(CANCEL_REASONS).default('requested_by_customer'),
    idempotency_key: idempotencyKeySchema,
    dry_run: dryRunSchema,
  }),
  output: z.object({
    order: orderSchema,
    dry_run: z.boolean(),
    payment_action: z.enum(['void', 'refund', 'none']),
    refund_amount: z.number().int().min(0).describe('Integer minor units refunded (or that would be).'),
    stock_action: z.enum(['release', 'restock', 'none']),
    replayed: replayedSchema,
    approval: approvalRequiredSchema.optional(),
  }),
  scopes: ['order:write'],
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  idempotency: 'required',
  deadlineMs: 20_000,
});
