import { z } from 'zod';
import { approvalRequiredSchema, defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { REFUND_REASONS, amountMinorSchema, currencyCodeSchema, paymentIdSchema, paymentSchema, refundSchema, reportedAmountSchema } from './schemas.ts';

/** Refunds (part of) a captured payment. */
export const paymentRefund = defineTool({
  name: 'payment_refund',
  title: 'Refund payment',
  description:
    'Refunds part or all of a captured payment: amount in integer minor units of its currency, at most ' +
    'what payment_refundable says, with a reason. A new idempotency_key refunds again; after a TIMEOUT ' +
    'retry with the SAME key and arguments. Above the approval threshold (policy://payment/limits) a ' +
    'refund for a person refunds nothing and returns approval { approval_url }: give the user the link, ' +
    'then call again with the SAME key and arguments. dry_run=true refunds nothing. Returns { dry_run, ' +
    'refund, payment, amount_refundable_after, requires_approval, approval?, replayed }. On failure: ' +
    'PRECONDITION_FAILED (over refundable, not captured, approval expired: new key); FORBIDDEN ' +
    '(declined); LIMIT_EXCEEDED; VALIDATION_FAILED; NOT_FOUND; IDEMPOTENCY_KEY_REUSED; TIMEOUT or ' +
    'UPSTREAM_UNAVAILABLE: retry with the same key.',
  guide:
    'Refunds part or all of a captured payment to the customer: amount in integer minor units of the payment ' +
    'currency, at most what is refundable (check payment_refundable first), with a reason code. Several partial ' +
    'refunds are fine. idempotency_key is required: after a TIMEOUT retry with the SAME key and arguments ' +
    '(replayed=true) — a new key would refund again. A refund above the approval threshold (policy://payment/limits) ' +
    'asked for a person waits for that person: the first call refunds nothing and returns approval ' +
    '{ status: "approval_required", approval_url, expires_at, amount, currency, next_step }; give the user the link, ' +
    'they log in and approve or decline, then call again with the SAME idempotency_key and arguments to get the ' +
    'outcome. dry_run=true checks everything and refunds nothing (above the threshold it also returns the approval ' +
    'while it is undecided). Returns { dry_run, refund, payment, amount_refundable_after, requires_approval, ' +
    'approval?, replayed } (refund is null on a dry run and while an approval is pending). ' +
    'On failure: PRECONDITION_FAILED when amount exceeds what is refundable (details.amount_refundable), the payment ' +
    'is not captured, or the approval expired (details.approval "expired": ask again with a NEW key); FORBIDDEN when ' +
    'the person declined (details.approval "declined": do not retry); ' +
    'LIMIT_EXCEEDED above the per-call or rolling 24-hour refund limit (do not retry as is); VALIDATION_FAILED when ' +
    'currency differs from the payment currency; NOT_FOUND for an unknown payment; IDEMPOTENCY_KEY_REUSED for a key ' +
    'used with other arguments; TIMEOUT or UPSTREAM_UNAVAILABLE when the outcome is unknown — retry with the same key.',
  input: z.strictObject({
    payment_id: paymentIdSchema,
    amount: amountMinorSchema,
    currency: currencyCodeSchema.describe('Must equal the payment currency (a guard against unit mix-ups).'),
    reason: z.enum(REFUND_REASONS).describe('Why the money goes back.'),
    idempotency_key: idempotencyKeySchema,
    dry_run: z.boolean().default(false).describe('true: check everything, refund nothing (says where a needed approval stands).'),
  }),
  output: z.object({
    dry_run: z.boolean(),
    refund: refundSchema.nullable().describe('The refund; null on a dry run and while an approval is pending.'),
    payment: paymentSchema,
    amount_refundable_after: reportedAmountSchema.describe('What stays refundable after this refund.'),
    requires_approval: z.boolean().describe("Whether this refund, by this caller, needs a person's approval."),
    approval: approvalRequiredSchema.optional(),
    replayed: replayedSchema,
  }),
  scopes: ['payment:refund', 'payment:write'],
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  idempotency: 'required',
  deadlineMs: 10_000,
});
