import { customerReachOf } from '@mcpfed/auth';
import type { Completer } from '@mcpfed/mcp-runtime';
import { paymentIdsByPrefix } from '../store/payment-ids-by-prefix.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';

/** A partial payment id: the id alphabet, at most an id's length. */
const PARTIAL_ID = /^[a-z0-9_]{0,30}$/;

/**
 * The completer of every payment id argument (payment_refund_review's `payment_id`, `payment://{id}`), scoped as
 * payment_get reads: a bound caller's own customer's payments, every payment with `customer:any`, none otherwise.
 */
export const paymentIdCompleter: Completer<PaymentDatabase> = async (prefix, limit, ctx) => {
  const reach = customerReachOf(ctx.principal);
  const partial = prefix.toLowerCase();
  if (reach.kind === 'none' || !PARTIAL_ID.test(partial)) return [];
  return paymentIdsByPrefix(ctx.db, partial, limit, { customerId: reach.kind === 'one' ? reach.customerId : undefined, signal: ctx.signal });
};
