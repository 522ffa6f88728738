import { z } from 'zod';
import { approvalRequiredSchema, defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { CAPTURE_MODES, orderAddressIdSchema, orderCustomerIdSchema, orderLinesInputSchema, orderPaymentMethodSchema, orderSchema } from './schemas.ts';

/** Longest wait_ms of order_place, in milliseconds. */
export const MAX_PLACE_WAIT_MS = 25_000;

/** Places an order and runs the checkout. */
export const orderPlace = defineTool({
  name: 'order_place',
  title: 'Place an order',
  description:
    'Places an order and runs the checkout: eligibility, stock reservation at catalog prices, ' +
    'authorization on payment_method, confirmation, capture (unless capture_mode on_fulfillment), stock ' +
    'commit; a refused step undoes the rest and the order ends failed with failure_reason (fix it, new ' +
    'key). Waits up to wait_ms: status pending means poll order_get, do NOT place again. After a TIMEOUT ' +
    'retry with the SAME idempotency_key and arguments. Returns { order, replayed, done }; integer minor ' +
    "units. Above the caller's approval limit it places nothing and returns approval { approval_url }: " +
    'give the user the link, then call again with the SAME key. On failure: FORBIDDEN (declined), ' +
    'PRECONDITION_FAILED (expired: new key), VALIDATION_FAILED, NOT_FOUND (details.skus), ' +
    'IDEMPOTENCY_KEY_REUSED.',
  guide:
    'Places an order and runs the checkout: checks the customer may buy, reserves the stock (prices come from the ' +
    'product server, never from you), authorizes the order total on payment_method, confirms the order, captures the ' +
    'payment (capture_mode immediate, the default; on_fulfillment captures in order_fulfill) and commits the stock. ' +
    'If any step is refused everything done so far is undone (payment voided, stock released) and the order ends ' +
    'failed with failure_reason. It waits up to wait_ms (default 10000) for the outcome and reports progress; if the ' +
    'checkout is still running it returns status "pending" - then poll order_get (or the order://{id} link) a few ' +
    'seconds later; do NOT place it again. idempotency_key is required: after a TIMEOUT or any doubt, call again ' +
    'with the SAME key and arguments to get the same order (replayed=true) - one key, one order. Returns { order, ' +
    'replayed, done }: done=false while pending. Amounts are integer minor units. ' +
    'A refused checkout is a normal result with status "failed": failure_reason customer_not_eligible (unknown, ' +
    'inactive or without a shipping address; see failure_message), insufficient_stock (reduce quantities, use a new ' +
    'key), product_unavailable, payment_declined (ask for another payment method, new key), payment_limit_exceeded. ' +
    'On failure: VALIDATION_FAILED for bad fields; NOT_FOUND when a SKU is not in the catalog (details.skus; nothing ' +
    'is placed); ' +
    'IDEMPOTENCY_KEY_REUSED when the key was used with other arguments (use a new key); UPSTREAM_UNAVAILABLE or ' +
    'TIMEOUT before the order was written (nothing placed: retry with the same key). ' +
    "Orders above the caller's approval limit (by default every order of a caller acting for a customer) wait for " +
    'a person: the first call places nothing and returns { approval: { status "approval_required", approval_url, ' +
    'expires_at, next_step } } without an order - give the user the link, and once they approved call again with ' +
    'the SAME key and arguments to place it. A declined approval answers FORBIDDEN (details.approval "declined"), ' +
    'an expired one PRECONDITION_FAILED (details.approval "expired": use a new key to ask again). ' +
    'A client that runs it as an MCP Task gets the task at once: tasks/get reports the checkout step, tasks/result ' +
    'the final answer, and tasks/cancel stops a checkout whose payment is not captured yet (the authorization is ' +
    'voided, the stock released, the order ends failed with failure_reason cancelled).',
  input: z.strictObject({
    customer_id: orderCustomerIdSchema,
    lines: orderLinesInputSchema,
    shipping_address_id: orderAddressIdSchema.optional().describe("Default: the customer's default shipping address."),
    payment_method: orderPaymentMethodSchema,
    capture_mode: z.enum(CAPTURE_MODES).default('immediate').describe('immediate (default) or on_fulfillment.'),
    idempotency_key: idempotencyKeySchema,
    wait_ms: z.number().int().min(0).max(MAX_PLACE_WAIT_MS).default(10_000).describe('Most ms to wait for the checkout to finish.'),
  }),
  output: z.object({
    order: orderSchema.optional().describe('The order; absent while a person must approve it first (see approval).'),
    done: z.boolean().describe('False while the checkout is still running (status pending): poll order_get.'),
    replayed: replayedSchema,
    approval: approvalRequiredSchema.optional(),
  }),
  scopes: ['order:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  idempotency: 'required',
  deadlineMs: MAX_PLACE_WAIT_MS + 5_000,
  taskSupport: 'optional',
});
