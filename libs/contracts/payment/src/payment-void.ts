import { z } from 'zod';
import { defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { paymentIdSchema, paymentSchema } from './schemas.ts';

/** Voids an authorized payment, releasing the hold. */
export const paymentVoid = defineTool({
  name: 'payment_void',
  title: 'Void payment',
  description:
    'Voids an authorized, uncaptured payment: the provider releases the hold and nothing is charged. Use it when an ' +
    'order is cancelled or fails before capture; after a capture use payment_refund instead. idempotency_key is ' +
    'required: after a TIMEOUT retry with the SAME key (replayed=true). Returns { payment, replayed } with status ' +
    '"voided" and void_reason "requested". ' +
    'On failure: PRECONDITION_FAILED when the payment is not authorized any more (captured: refund instead; voided or ' +
    'expired: nothing to do); NOT_FOUND for an unknown payment; CONFLICT (retryable) while another capture or void of ' +
    'this payment is in progress; IDEMPOTENCY_KEY_REUSED for a key used with other arguments; TIMEOUT or ' +
    'UPSTREAM_UNAVAILABLE when the outcome is unknown — retry with the same key.',
  input: z.strictObject({
    payment_id: paymentIdSchema,
    idempotency_key: idempotencyKeySchema,
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
