import { z } from 'zod';
import { customerIdSchema, addressIdSchema } from '@mcpfed/contract-customer';
import { paymentIdSchema, paymentMethodRefSchema } from '@mcpfed/contract-payment';
import { reservationIdSchema, stockSkuSchema, MAX_LINE_QUANTITY } from '@mcpfed/contract-product';
import { moneySchema } from '@mcpfed/contract-common';

const BASE32 = '[0-9a-hjkmnp-tv-z]{26}';

/**
 * Lifecycle of an order. `pending`: the checkout saga is running; `confirmed`: stock held and payment authorized
 * (captured too in immediate capture mode); `failed`: checkout did not go through (failure_reason says why; nothing
 * is held or charged); `fulfilled`: shipped; `delivered`; `cancelled`: stopped after confirmation (money voided or
 * refunded, stock back); `partially_refunded` / `refunded`: some / all of the paid amount went back.
 */
export const ORDER_STATUSES = ['pending', 'confirmed', 'failed', 'fulfilled', 'delivered', 'cancelled', 'partially_refunded', 'refunded'] as const;
/** An order status. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** When the payment is captured: `immediate` (during checkout) or `on_fulfillment` (by order_fulfill). */
export const CAPTURE_MODES = ['immediate', 'on_fulfillment'] as const;
/** A capture mode. */
export type CaptureMode = (typeof CAPTURE_MODES)[number];

/** Steps of the checkout saga, in order; each remote step's idempotency key is `checkout:<order_id>:<step>`. */
export const CHECKOUT_STEPS = ['check_eligibility', 'reserve_inventory', 'authorize_payment', 'confirm_order', 'capture_payment', 'commit_inventory'] as const;
/** A forward step of the checkout saga. */
export type CheckoutStep = (typeof CHECKOUT_STEPS)[number];

/** Compensation steps of the checkout saga, run in this order (the reverse of the forward steps). */
export const COMPENSATION_STEPS = ['void_payment', 'release_inventory'] as const;
/** A compensation step. */
export type CompensationStep = (typeof COMPENSATION_STEPS)[number];

/** States of a checkout workflow: `running`, `compensating` (undoing), `completed` (order confirmed), `failed` (compensated, order failed). */
export const WORKFLOW_STATUSES = ['running', 'compensating', 'completed', 'failed'] as const;
/** A workflow status. */
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/**
 * Stable codes of `failure_reason` on a failed order: `customer_not_eligible` (see failure_details.reasons),
 * `insufficient_stock`, `product_unavailable` (unknown or inactive SKU, mixed currencies), `payment_declined`,
 * `payment_limit_exceeded`, `payment_failed` (another payment refusal), `upstream_unavailable` (a server stayed
 * unreachable for the whole retry budget), `reservation_expired`, `internal`, `cancelled` (the caller cancelled the
 * checkout's task before the payment was captured; authorization voided, stock released).
 */
export const FAILURE_REASONS = [
  'customer_not_eligible',
  'insufficient_stock',
  'product_unavailable',
  'payment_declined',
  'payment_limit_exceeded',
  'payment_failed',
  'upstream_unavailable',
  'reservation_expired',
  'internal',
  'cancelled',
] as const;
/** A failure reason code. */
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Most lines one order may have. */
export const MAX_ORDER_LINES = 50;

/** Order id: `ord_` followed by 26 lowercase Crockford base32 characters. */
export const orderIdSchema = z
  .string()
  .max(30)
  .regex(new RegExp(`^ord_${BASE32}$`), 'an order id looks like ord_01j9z3k8q4m2n6p7r8s9t0v1w2')
  .describe('Order id (order_search finds one).');

/** The human order number (a positive integer, shown to customers). */
export const orderNumberSchema = z.number().int().min(1).describe('Order number as shown to customers, e.g. 100042.');

/** An ISO 8601 timestamp. */
export const orderTimestampSchema = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp.');

/** One requested line: a SKU and a quantity (prices always come from the product server). */
export const orderLineInputSchema = z.strictObject({
  sku: stockSkuSchema,
  quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY).describe(`Units, 1-${MAX_LINE_QUANTITY}.`),
});

/** The lines of order_quote / order_place: 1-50, each SKU at most once. */
export const orderLinesInputSchema = z
  .array(orderLineInputSchema)
  .min(1)
  .max(MAX_ORDER_LINES)
  .refine((lines) => new Set(lines.map((line) => line.sku)).size === lines.length, 'each sku at most once; add the quantities up')
  .describe(`1-${MAX_ORDER_LINES} lines, each sku at most once.`);

/** Re-exported id schemas of the domains an order refers to. */
export { customerIdSchema as orderCustomerIdSchema, addressIdSchema as orderAddressIdSchema, paymentMethodRefSchema as orderPaymentMethodSchema };

/** One line of an order, priced by the product server. Money is integer minor units. */
export const orderLineSchema = z.object({
  sku: stockSkuSchema,
  quantity: z.number().int().min(1),
  unit_price: moneySchema.describe('Price of one unit (integer minor units), from the product server at reservation time.'),
  line_total: moneySchema.describe('unit_price x quantity.'),
  refunded_quantity: z.number().int().min(0).describe('Units refunded so far.'),
});

/** The payment of an order as the order server knows it (payment_get on the payment server has the rest). */
export const orderPaymentSchema = z.object({
  payment_id: paymentIdSchema.nullable().describe('The authorization; null until payment_authorize succeeded.'),
  payment_method: z.string().describe('The payment method the order is charged to.'),
  capture_mode: z.enum(CAPTURE_MODES),
  amount_authorized: z.number().int().min(0).describe('Integer minor units.'),
  amount_captured: z.number().int().min(0).describe('Integer minor units.'),
  amount_refunded: z.number().int().min(0).describe('Integer minor units.'),
});

/** An order. Every amount is integer minor units of `currency`. */
export const orderSchema = z.object({
  id: orderIdSchema,
  order_number: orderNumberSchema,
  customer_id: customerIdSchema,
  status: z.enum(ORDER_STATUSES),
  version: z.number().int().min(1).describe('Bumped on every change; pass it as expected_version to updates.'),
  currency: z.string().describe('ISO 4217 code of every amount.'),
  total_amount: z.number().int().min(0).describe('Sum of the line totals, integer minor units.'),
  refunded_amount: z.number().int().min(0).describe('Refunded so far, integer minor units.'),
  lines: z.array(orderLineSchema),
  payment: orderPaymentSchema,
  reservation_id: reservationIdSchema.nullable().describe('The stock reservation on the product server; null until reserved.'),
  shipping_address_id: addressIdSchema.nullable().describe('The customer address it ships to (null: the default shipping address).'),
  failure_reason: z.enum(FAILURE_REASONS).nullable().describe('Set when status is failed.'),
  failure_message: z.string().nullable(),
  tracking: z.object({ carrier: z.string(), tracking_number: z.string() }).nullable().describe('Shipment tracking, set by order_fulfill.'),
  placed_at: orderTimestampSchema,
  updated_at: orderTimestampSchema,
});

/** One entry of an order's history (the order_events outbox). */
export const orderHistoryEntrySchema = z.object({
  event_id: z.string(),
  sequence: z.number().int().min(1),
  type: z.string(),
  status: z.enum(ORDER_STATUSES),
  occurred_at: orderTimestampSchema,
});

/** The checkout workflow (saga) of an order. */
export const workflowSchema = z.object({
  order_id: orderIdSchema,
  status: z.enum(WORKFLOW_STATUSES),
  step: z.string().describe(`The next step to run: ${CHECKOUT_STEPS.join(', ')}, then done; or ${COMPENSATION_STEPS.join(', ')} while compensating.`),
  completed_steps: z.array(z.string()).describe('Steps finished, in order.'),
  attempts: z.number().int().min(0).describe('Job runs so far (each retry after a transient failure is one).'),
  last_error: z.object({ code: z.string(), message: z.string(), step: z.string() }).nullable().describe('The latest failure of a step, transient or not.'),
  failure_reason: z.enum(FAILURE_REASONS).nullable(),
  started_at: orderTimestampSchema,
  updated_at: orderTimestampSchema,
  finished_at: orderTimestampSchema.nullable(),
});
