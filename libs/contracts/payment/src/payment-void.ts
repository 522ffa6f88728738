import { z } from 'zod';
import { defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { paymentIdSchema, paymentSchema } from './schemas.ts';

/** Voids an authorized payment, releasing the hold. */
export const paymentVoid = defineTool({
  name: 'payment_void',
  title: 'Void payment',
  description:
    'Voids an authorized, uncaptured payment: the hold is released, nothing is charged (after a capture ' +
    'use payment_refund). Name it by payment_id, or by authorization_key (the idempotency_key of a ' +
    'payment_authorize whose answer never reached you; that key then authorizes nothing more). After a ' +
    'TIMEOUT retry with the SAME idempotency_key. Returns { payment, replayed }, status voided. On ' +
    'failure: PRECONDITION_FAILED when not authorized any more (captured: refund; voided or expired: ' +
    'done) or nothing is held under the key; NOT_FOUND; CONFLICT (retryable) while a capture, void or the ' +
    'authorization runs; IDEMPOTENCY_KEY_REUSED; TIMEOUT or UPSTREAM_UNAVAILABLE: retry with the same ' +
    'key.',
  guide:
    'Voids an authorized, uncaptured payment: the provider releases the hold and nothing is charged. Use it when an ' +
    'order is cancelled or fails before capture; after a capture use payment_refund instead. Name the payment by ' +
    'payment_id, or by authorization_key: the idempotency_key you gave payment_authorize, for when its answer never ' +
    'reached you (a TIMEOUT) — the authorization is then found (asking the provider if needed) and voided, and if ' +
    'nothing was authorized with that key, a later payment_authorize with it is refused, so no hold can appear ' +
    'afterwards. idempotency_key is required: after a TIMEOUT retry with the SAME key (replayed=true). Returns ' +
    '{ payment, replayed } with status "voided" and void_reason "requested". ' +
    'On failure: PRECONDITION_FAILED when the payment is not authorized any more (captured: refund instead; voided or ' +
    'expired: nothing to do) or nothing is held under the authorization_key (details.authorization: "none" or ' +
    '"failed"); NOT_FOUND for an unknown payment; CONFLICT (retryable) while another capture or void of this ' +
    'payment, or the authorization itself, is in progress; IDEMPOTENCY_KEY_REUSED for a key used with other ' +
    'arguments; TIMEOUT or UPSTREAM_UNAVAILABLE when the outcome is unknown — retry with the same key.',
  input: z
    .strictObject({
      payment_id: paymentIdSchema.optional().describe('The payment to void. Give this or authorization_key.'),
      authorization_key: idempotencyKeySchema
        .optional()
        .describe('The idempotency_key of the payment_authorize call (yours) whose authorization to void. Give this or payment_id.'),
      idempotency_key: idempotencyKeySchema,
    })
    .refine((input) => (input.payment_id === undefined) !== (input.authorization_key === undefined), {
      message: 'give exactly one of payment_id and authorization_key',
      path: ['payment_id'],
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
