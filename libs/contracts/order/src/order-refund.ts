import { z } from 'zod';
import { approvalRequiredSchema, defineTool, dryRunSchema, expectedVersionSchema, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { stockSkuSchema } from '@mcpfed/contract-product';
import { orderIdSchema, orderSchema } from './schemas.ts';

/** Refunds a paid order, whole or some lines, and puts the goods back in stock. */
export const orderRefund = defineTool({
  name: 'order_refund',
  title: 'Refund an order',
  description:
    'Refunds a paid order (captured, fulfilled, delivered or partially refunded), whole or the given ' +
    'lines: money back through payment_refund, units back in stock unless restock=false. Call with ' +
    'dry_run=true first (refund_amount, integer minor units), then without, with expected_version. A new ' +
    'idempotency_key refunds again; after a TIMEOUT retry with the SAME key. Returns { order, dry_run, ' +
    'refund_amount, payment_refund_id, replayed }. Above the approval threshold it refunds nothing and ' +
    'returns approval { approval_url }: give the user the link, then call again with the SAME key. On ' +
    'failure: PRECONDITION_FAILED (nothing refundable: order_cancel; too many units; approval expired); ' +
    'FORBIDDEN (declined); CONFLICT (stale version); NOT_FOUND; VALIDATION_FAILED; LIMIT_EXCEEDED; ' +
    'UPSTREAM_UNAVAILABLE or TIMEOUT: retry with the same key.',
  guide:
    'Refunds a paid order (confirmed with a captured payment, fulfilled, delivered or partially refunded): the whole ' +
    'order when lines is omitted, else the given quantities of lines; the money goes back through payment_refund and ' +
    'the units are put back in stock as returned (restock=false to skip that, e.g. goods never came back). Call it ' +
    'with dry_run=true first: it changes nothing and returns the amount (integer minor units) that would be ' +
    'refunded. Needs expected_version. idempotency_key is required: after a TIMEOUT retry with the SAME key ' +
    '(replayed=true); a new key refunds again. Returns { order, dry_run, refund_amount, payment_refund_id, replayed }. ' +
    'On failure: PRECONDITION_FAILED when nothing is refundable (details.status, e.g. payment not captured: use ' +
    'order_cancel) or a quantity exceeds what is left (details.sku, details.refundable_quantity); CONFLICT for a ' +
    'stale expected_version, or (retryable) while another cancel, refund or fulfilment of the order is in progress ' +
    '(read the order again); NOT_FOUND for an unknown order; VALIDATION_FAILED for a sku not on the order; ' +
    "LIMIT_EXCEEDED above the payment server's refund limits; UPSTREAM_UNAVAILABLE or TIMEOUT - retry with the " +
    'same key (nothing is refunded twice). ' +
    "A refund above the payment server's approval threshold (policy://payment/limits) waits for the caller's " +
    "person, who decides on the payment server's page: the first call refunds nothing and returns approval " +
    '{ status "approval_required", approval_url, next_step }; ' +
    'once the user approved at that link, call again with the SAME key and arguments. Declined: FORBIDDEN ' +
    '(details.approval "declined"); expired: PRECONDITION_FAILED (details.approval "expired").',
  input: z.strictObject({
    order_id: orderIdSchema,
    expected_version: expectedVersionSchema,
    lines: z
      .array(z.strictObject({ sku: stockSkuSchema, quantity: z.number().int().min(1) }))
      .min(1)
      .max(50)
      .optional()
      .describe('What to refund; default: everything not refunded yet.'),
    reason: z
      .enum(['requested_by_customer', 'duplicate', 'fraudulent', 'product_not_received', 'product_unacceptable', 'other'])
      .default('requested_by_customer'),
    restock: z.boolean().default(true).describe('Put the units back in stock. Default true.'),
    idempotency_key: idempotencyKeySchema,
    dry_run: dryRunSchema,
  }),
  output: z.object({
    order: orderSchema,
    dry_run: z.boolean(),
    refund_amount: z.number().int().min(0).describe('Integer minor units of the order currency.'),
    payment_refund_id: z.string().nullable().describe('The refund on the payment server; null on a dry run.'),
    replayed: replayedSchema,
    approval: approvalRequiredSchema.optional(),
  }),
  scopes: ['order:write', 'payment:refund'],
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  idempotency: 'required',
  deadlineMs: 20_000,
});
