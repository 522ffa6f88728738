import { z } from 'zod';
import { customerIdSchema } from '@mcpfed/contract-customer';

const BASE32 = '[0-9a-hjkmnp-tv-z]{26}';

/**
 * Currencies the payment server accepts (ISO 4217). Amounts are always integer minor units of the currency:
 * cents for EUR/USD, öre for SEK; JPY has no minor unit (1 = ¥1). See {@link CURRENCY_MINOR_DIGITS}.
 */
export const SUPPORTED_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'JPY', 'CAD', 'AUD'] as const;
/** A supported ISO 4217 currency code. */
export type Currency = (typeof SUPPORTED_CURRENCIES)[number];

/** Digits after the decimal point of each supported currency (ISO 4217 exponent): 1999 EUR minor units = 19.99 EUR. */
export const CURRENCY_MINOR_DIGITS: Readonly<Record<Currency, number>> = Object.freeze({
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  JPY: 0,
  CAD: 2,
  AUD: 2,
});

/** Largest amount any field carries, in minor units (10^13: far below 2^53, so JSON numbers stay exact). */
export const MAX_AMOUNT_MINOR = 10_000_000_000_000;

/**
 * Lifecycle of a payment. `authorized`: funds held, nothing captured; `captured`: money taken (a partial capture
 * releases the rest of the hold); `partially_refunded` / `refunded`: some / all of the captured amount returned;
 * `voided`: the hold was released without capture (by payment_void, or by expiry: void_reason tells which).
 */
export const PAYMENT_STATUSES = ['authorized', 'captured', 'partially_refunded', 'refunded', 'voided'] as const;
/** A payment's status. */
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Why a payment was voided: `requested` (payment_void) or `expired` (its authorization reached its TTL). */
export const VOID_REASONS = ['requested', 'expired'] as const;
/** A void reason. */
export type VoidReason = (typeof VOID_REASONS)[number];

/** Lifecycle of a refund: `pending` while the provider works on it, then `succeeded` or `failed`. */
export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const;
/** A refund's status. */
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** Reason codes of payment_refund (stable; reports group by them). */
export const REFUND_REASONS = [
  'requested_by_customer',
  'duplicate',
  'fraudulent',
  'order_canceled',
  'product_not_received',
  'product_unacceptable',
  'other',
] as const;
/** A refund reason code. */
export type RefundReason = (typeof REFUND_REASONS)[number];

/** Card brands a payment method can have. */
export const CARD_BRANDS = ['visa', 'mastercard'] as const;
/** A card brand. */
export type CardBrand = (typeof CARD_BRANDS)[number];

/**
 * The sandbox provider's deterministic test payment methods (the default provider): `pm_card_visa` and
 * `pm_card_mastercard` succeed; `pm_card_declined` is declined; `pm_card_insufficient_funds` is declined with
 * reason insufficient_funds; `pm_card_timeout` makes the provider time out AFTER it acted (retry with the same
 * idempotency key to get the result); `pm_card_slow` answers after a configured delay (default 3 s).
 */
export const SANDBOX_PAYMENT_METHOD_TOKENS = [
  'pm_card_visa',
  'pm_card_mastercard',
  'pm_card_declined',
  'pm_card_insufficient_funds',
  'pm_card_timeout',
  'pm_card_slow',
] as const;

/** ISO 4217 currency code of a money amount. */
export const currencyCodeSchema = z.enum(SUPPORTED_CURRENCIES).describe('ISO 4217 code, e.g. "EUR".');

/** A positive amount a caller moves: integer minor units. */
export const amountMinorSchema = z.number().int().min(1).max(MAX_AMOUNT_MINOR).describe('Integer minor units of currency (1999 = 19.99 EUR).');

/** An amount a server reports: integer minor units, never negative. */
export const reportedAmountSchema = z.number().int().min(0).describe('Integer minor units of the currency.');

/** Payment id: `pay_` followed by 26 lowercase Crockford base32 characters. */
export const paymentIdSchema = z
  .string()
  .max(30)
  .regex(new RegExp(`^pay_${BASE32}$`), 'a payment id looks like pay_01j9z3k8q4m2n6p7r8s9t0v1w2')
  .describe('Payment id (payment_search finds one).');

/** Attached payment method id: `pm_` followed by 26 lowercase Crockford base32 characters. */
export const paymentMethodIdSchema = z
  .string()
  .max(29)
  .regex(new RegExp(`^pm_${BASE32}$`), 'a payment method id looks like pm_01j9z3k8q4m2n6p7r8s9t0v1w2')
  .describe('Payment method id (payment_method_list or payment_method_attach).');

/** Refund id: `re_` followed by 26 lowercase Crockford base32 characters. */
export const refundIdSchema = z
  .string()
  .max(29)
  .regex(new RegExp(`^re_${BASE32}$`), 'a refund id looks like re_01j9z3k8q4m2n6p7r8s9t0v1w2')
  .describe('Refund id (payment_get lists them).');

/** What payment_authorize charges: an attached method id, or a sandbox test token (attached on the fly). */
export const paymentMethodRefSchema = z
  .string()
  .max(60)
  .regex(new RegExp(`^pm_(${BASE32}|card_[a-z_]{1,40})$`), 'an attached payment method id (pm_...) or a sandbox test token such as pm_card_visa')
  .describe('A method of customer_id (payment_method_list, payment_method_attach), or a sandbox test token such as "pm_card_visa" (attached on the fly).');

/** The order (or other business reference) a payment belongs to, as the caller names it. */
export const orderRefSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9:_\-.]*$/, 'letters, digits and : _ - . only')
  .describe('The order this payment is for, e.g. its id "ord_01j9z3k8q4m2n6p7r8s9t0v1w2".');

/** Customer id as the customer domain defines it (`cus_` + 26 base32 characters). */
export const payingCustomerIdSchema = customerIdSchema;

/** An ISO 8601 timestamp. */
export const timestampSchema = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp, e.g. "2025-03-01T12:00:00.000Z".');

/** A payment method as the server shows it: brand and last four digits, never the token. */
export const paymentMethodSchema = z.object({
  id: paymentMethodIdSchema,
  customer_id: payingCustomerIdSchema,
  brand: z.enum(CARD_BRANDS),
  last4: z
    .string()
    .regex(/^[0-9]{4}$/)
    .describe('Last four digits of the card number.'),
  exp_month: z.number().int().min(1).max(12),
  exp_year: z.number().int().min(2000).max(2100),
  created_at: timestampSchema,
});

/** A payment (one authorization and what happened to it). Every amount is integer minor units of `currency`. */
export const paymentSchema = z.object({
  id: paymentIdSchema,
  order_ref: z.string(),
  customer_id: payingCustomerIdSchema,
  payment_method: z.object({ id: paymentMethodIdSchema, brand: z.enum(CARD_BRANDS), last4: z.string() }),
  currency: currencyCodeSchema,
  status: z.enum(PAYMENT_STATUSES),
  amount_authorized: reportedAmountSchema.describe('Amount authorized (held) at the start.'),
  amount_captured: reportedAmountSchema.describe('Amount captured; at most amount_authorized.'),
  amount_refunded: reportedAmountSchema.describe('Amount refunded successfully.'),
  amount_refund_pending: reportedAmountSchema.describe('Amount of refunds still in progress (reserved).'),
  amount_refundable: reportedAmountSchema.describe('What payment_refund may still return: captured - refunded - pending.'),
  void_reason: z.enum(VOID_REASONS).nullable().describe('Set when status is voided: requested or expired.'),
  provider: z.string().describe('Payment provider that holds the charge, e.g. "sandbox".'),
  provider_charge_id: z.string(),
  created_at: timestampSchema,
  captured_at: timestampSchema.nullable(),
  voided_at: timestampSchema.nullable(),
  expires_at: timestampSchema.nullable().describe('When an uncaptured authorization is voided automatically; null once captured or voided.'),
  updated_at: timestampSchema,
});

/** A refund of (part of) a captured payment. */
export const refundSchema = z.object({
  id: refundIdSchema,
  payment_id: paymentIdSchema,
  amount: reportedAmountSchema,
  currency: currencyCodeSchema,
  reason: z.enum(REFUND_REASONS),
  status: z.enum(REFUND_STATUSES),
  provider_refund_id: z.string().nullable(),
  created_at: timestampSchema,
  completed_at: timestampSchema.nullable(),
});

/** A payment with its refunds (payment_get, the payment:// resource). */
export const paymentDetailSchema = paymentSchema.extend({
  refunds: z.array(refundSchema).describe('The latest refunds (at most 50), newest first.'),
  refund_count: z.number().int().min(0).describe('How many refunds the payment has in total.'),
});
