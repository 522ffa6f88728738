import { z } from 'zod';
import { defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { REFUND_REASONS, amountMinorSchema, currencyCodeSchema, paymentIdSchema, paymentSchema, refundSchema, reportedAmountSchema, timestampSchema } from './schemas.ts';

/** Refunds (part of) a captured payment. */
export const paymentRefund = defineTool({
  name: 'payment_refund',
  title: 'Refund payment',
  description:
    'Refunds part or all of a captured payment to the customer: amount in integer minor units of the payment ' +
    'currency, at most what is refundable (check payment_refundable first), with a reason code. Several partial ' +
    'refunds are fine. idempotency_key is required: after a TIMEOUT retry with the SAME key and arguments ' +
    '(replayed=true) — a new key would refund again. Refunds above the confirmation threshold ' +
    '(policy://payment/limits) need confirmation: first call with dry_run=true, which changes nothing and returns a ' +
    'confirm_token valid for 5 minutes; show the user what will be refunded; then call again with the same ' +
    'arguments, dry_run=false and that confirm_token. Returns { dry_run, refund, payment, amount_refundable_after, ' +
    'requires_confirmation, confirm_token, confirm_token_expires_at, replayed } (refund is null on a dry run). ' +
    'On failure: PRECONDITION_FAILED when amount exceeds what is refundable (details.amount_refundable), the payment ' +
    'is not captured, or a needed confirm_token is missing, invalid or expired (run the dry run again); ' +
    'LIMIT_EXCEEDED above the per-call or rolling 24-hour refund limit (do not retry as is); VALIDATION_FAILED when ' +
    'currency differs from the payment currency; NOT_FOUND for an unknown payment; IDEMPOTENCY_KEY_REUSED for a key ' +
    'used with other arguments; TIMEOUT or UPSTREAM_UNAVAILABLE when the outcome is unknown — retry with the same key.',
  input: z.strictObject({
    payment_id: paymentIdSchema,
    amount: amountMinorSchema,
    currency: currencyCodeSchema.describe('Must equal the payment currency (a guard against unit mix-ups).'),
    reason: z.enum(REFUND_REASONS).describe('Why the money goes back.'),
    idempotency_key: idempotencyKeySchema,
    dry_run: z
      .boolean()
      .default(false)
      .describe('When true, check everything and return a confirm_token without refunding. Default false.'),
    confirm_token: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('From a dry run of the same refund; required when amount is above the confirmation threshold.'),
  }),
  output: z.object({
    dry_run: z.boolean(),
    refund: refundSchema.nullable().describe('The refund; null on a dry run.'),
    payment: paymentSchema,
    amount_refundable_after: reportedAmountSchema.describe('What stays refundable after this refund.'),
    requires_confirmation: z.boolean().describe('Whether this amount needs a confirm_token.'),
    confirm_token: z.string().nullable().describe('Dry runs only: pass it to the real call within its validity.'),
    confirm_token_expires_at: timestampSchema.nullable(),
    replayed: replayedSchema,
  }),
  scopes: ['payment:refund', 'payment:write'],
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  idempotency: 'required',
  deadlineMs: 10_000,
  redact: ['confirm_token'],
});
