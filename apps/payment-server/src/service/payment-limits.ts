/**
 * The money limits of the payment server (PAYMENT_* settings). All amounts are integer minor units of the
 * operation's currency and apply per currency; daily limits are per caller (`rateLimitKeyOf` of the principal) over a rolling 24 hours.
 */
export interface PaymentLimits {
  /** Largest single authorization. */
  readonly maxAuthorizationMinor: number;
  /** Largest single refund. */
  readonly maxRefundMinor: number;
  /** Most one caller (`rateLimitKeyOf` of the principal) may authorize in 24 hours (pending and succeeded authorizations count). */
  readonly dailyAuthorizationLimitMinor: number;
  /** Most one caller (`rateLimitKeyOf` of the principal) may refund in 24 hours (pending and succeeded refunds count). */
  readonly dailyRefundLimitMinor: number;
  /** Refunds above this, asked for a person, wait for that person's approval (PAYMENT_REFUND_CONFIRM_THRESHOLD_MINOR). */
  readonly refundConfirmThresholdMinor: number;
}

/** Defaults of {@link PaymentLimits} (documented in the README). */
export const DEFAULT_PAYMENT_LIMITS: PaymentLimits = Object.freeze({
  maxAuthorizationMinor: 1_000_000,
  maxRefundMinor: 1_000_000,
  dailyAuthorizationLimitMinor: 5_000_000,
  dailyRefundLimitMinor: 2_000_000,
  refundConfirmThresholdMinor: 50_000,
});

/** Checks a {@link PaymentLimits}: every value a positive safe integer. */
export function checkPaymentLimits(limits: PaymentLimits): PaymentLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`payment limit ${name} must be a positive integer, got ${String(value)}`);
  }
  return Object.freeze({ ...limits });
}

/** The money policy in force: what `policy://payment/limits` describes. */
export interface PaymentPolicy {
  limits: PaymentLimits;
  /** Lifetime of an uncaptured authorization, in milliseconds. */
  authorizationTtlMs: number;
  /** How long a person has to decide a refund's approval, and the caller then has to use it, in milliseconds. */
  approvalTtlMs: number;
}
