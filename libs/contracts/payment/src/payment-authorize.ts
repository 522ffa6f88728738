import { z } from 'zod';
import { defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { amountMinorSchema, currencyCodeSchema, orderRefSchema, payingCustomerIdSchema, paymentMethodRefSchema, paymentSchema } from './schemas.ts';

/** Authorizes (holds) an amount on a customer's payment method for an order. */
export const paymentAuthorize = defineTool({
  name: 'payment_authorize',
  title: 'Authorize payment',
  description:
    "Holds amount (integer minor units of currency) on the customer's payment method for an order; " +
    'capture later with payment_capture or release with payment_void (an uncaptured hold expires, default ' +
    '7 days). After a TIMEOUT or any doubt retry with the SAME idempotency_key and arguments (never ' +
    'charged twice). Limits: policy://payment/limits. Returns { payment, replayed }, status authorized. ' +
    'On failure: PAYMENT_DECLINED (details.decline_code: ask for another method, new key); LIMIT_EXCEEDED ' +
    "(do not retry as is); NOT_FOUND when payment_method is not this customer's; VALIDATION_FAILED; " +
    'IDEMPOTENCY_KEY_REUSED; CONFLICT (retryable) while the same key runs; TIMEOUT or ' +
    'UPSTREAM_UNAVAILABLE: retry with the same key.',
  guide:
    'Authorizes a payment: the provider holds amount (integer minor units of currency, e.g. 1999 EUR = 19.99 EUR) on ' +
    "the customer's payment method for an order, without taking it yet. Capture it later with payment_capture or " +
    'release it with payment_void; an authorization that is never captured is voided automatically when it expires ' +
    '(expires_at, default 7 days). idempotency_key is required: after a TIMEOUT or any doubt, retry with the SAME key ' +
    'and arguments — you get the original payment (replayed=true) and the customer is never charged twice. ' +
    'Returns { payment, replayed } with status "authorized". Limits per call and per 24 hours apply (read ' +
    'policy://payment/limits). ' +
    'On failure: PAYMENT_DECLINED when the provider declines (details.decline_code, e.g. insufficient_funds: ask for ' +
    'another payment method, use a new key); LIMIT_EXCEEDED above the per-call or daily limit (details say which; ' +
    'do not retry as is); NOT_FOUND when payment_method is not attached to this customer; VALIDATION_FAILED for bad ' +
    'fields or an unknown test token; IDEMPOTENCY_KEY_REUSED when the key was used with other arguments (use a new ' +
    'key); CONFLICT (retryable) while an earlier call with the same key is still running; TIMEOUT or ' +
    'UPSTREAM_UNAVAILABLE when the outcome is unknown — retry with the same key.',
  input: z.strictObject({
    order_ref: orderRefSchema,
    customer_id: payingCustomerIdSchema,
    amount: amountMinorSchema,
    currency: currencyCodeSchema,
    payment_method: paymentMethodRefSchema,
    idempotency_key: idempotencyKeySchema,
  }),
  output: z.object({
    payment: paymentSchema,
    replayed: replayedSchema,
  }),
  scopes: ['payment:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  idempotency: 'required',
  deadlineMs: 10_000,
});
