/**
 * The closed set of error codes every mcpfed server speaks (docs/architecture.md §4).
 * A model reads these in `structuredContent.error.code`; keep the set closed so clients can switch on it.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'LIMIT_EXCEEDED',
  'PRECONDITION_FAILED',
  'PAYMENT_DECLINED',
  'UPSTREAM_UNAVAILABLE',
  'TIMEOUT',
  'INTERNAL',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Codes whose failure is transient: the same call may succeed later (with the same idempotency key).
 * Everything else is a business or caller error that repeating will not fix.
 */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['RATE_LIMITED', 'UPSTREAM_UNAVAILABLE', 'TIMEOUT']);

/** Whether a failure with this code is worth retrying unchanged. */
export function isRetryableCode(code: ErrorCode): boolean {
  return RETRYABLE.has(code);
}

/** Type guard for a string that is one of the closed codes (e.g. a code read back from another server). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
