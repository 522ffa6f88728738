import { z } from 'zod';
import { defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { amountMinorSchema, currencyCodeSchema, paymentIdSchema, paymentSchema } from './schemas.ts';

/** Captures an authorized payment, fully or partially. */
export const paymentCapture = defineTool({
  name: 'payment_capture',
  title: 'Capture payment',
  description:
    'Captures an authorized payment: amount (integer minor units), or all of it when omitted; a payment ' +
    'is captured once, a partial capture releases the rest. Capture only when the order is confirmed. ' +
    'After a TIMEOUT retry with the SAME idempotency_key and arguments, never a new key. Returns { ' +
    'payment, replayed }, status captured. On failure: PRECONDITION_FAILED when not authorized any more ' +
    '(payment_get) or amount exceeds amount_authorized; VALIDATION_FAILED when currency differs; ' +
    'NOT_FOUND; CONFLICT (retryable) while another capture or void runs; IDEMPOTENCY_KEY_REUSED; TIMEOUT ' +
    'or UPSTREAM_UNAVAILABLE: retry with the same key.',
  guide:
    'Captures an authorized payment: takes amount (integer minor units of the payment currency) of what was ' +
    'authorized; omit amount to capture all of it. A payment is captured once: a partial capture releases the rest ' +
    'of the hold. Capture only when the order is confirmed. idempotency_key is required: after a TIMEOUT retry with ' +
    'the SAME key and arguments (replayed=true), never with a new key. Returns { payment, replayed } with status ' +
    '"captured". ' +
    'On failure: PRECONDITION_FAILED when the payment is not authorized any more (already captured, voided or ' +
    'expired: read it with payment_get) or amount exceeds amount_authorized (details.amount_authorized); ' +
    'VALIDATION_FAILED when currency differs from the payment currency; NOT_FOUND for an unknown payment; CONFLICT ' +
    '(retryable) while another capture or void of this payment is in progress; IDEMPOTENCY_KEY_REUSED for a key used ' +
    'with other arguments; TIMEOUT or UPSTREAM_UNAVAILABLE when the outcome is unknown — retry with the same key.',
  input: z
    .strictObject({
      payment_id: paymentIdSchema,
      amount: amountMinorSchema.optional().describe('Amount to capture in integer minor units; default: the whole authorized amount.'),
      currency: currencyCodeSchema.optional().describe('Currency of amount; required with amount, must equal the payment currency.'),
      idempotency_key: idempotencyKeySchema,
    })
    .refine((input) => input.amount === undefined || input.currency !== undefined, {
      message: 'currency is required when amount is given',
      path: ['currency'],
    }),
  output: z.object({
    payment: paymentSchema,
    replayed: replayedSchema,
  }),
  scopes: ['payment:write'],
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  idempotency: 'required',
  deadlineMs: 10_000,
});
