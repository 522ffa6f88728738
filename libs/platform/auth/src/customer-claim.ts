/** The JWT claim that binds a token to a customer when a server configures none (`AUTH_CUSTOMER_CLAIM`). */
export const DEFAULT_CUSTOMER_CLAIM = 'customer_id';

/** A customer id as a claim may carry it: 1-100 printable ASCII characters, no spaces. */
const CUSTOMER_ID = /^[\x21-\x7E]{1,100}$/;

/** Whether `value` can be the customer a principal is bound to. */
export function isCustomerId(value: unknown): value is string {
  return typeof value === 'string' && CUSTOMER_ID.test(value);
}
