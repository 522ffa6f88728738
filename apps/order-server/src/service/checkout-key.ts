/** The step after the last forward step. */
export const DONE = 'done';

/** The idempotency key of a step of an order's checkout (docs/architecture.md §6). */
export function checkoutKey(orderId: string, step: string): string {
  return `checkout:${orderId}:${step}`;
}
