import { customerFilterFor, customerReachOf, reachesCustomer } from '@mcpfed/auth';
import type { Kysely } from 'kysely';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { PaymentStore } from '../store/payment-store.ts';
import type { PaymentRow } from '../store/payment-store.ts';
import { paymentNotFound } from './payment-not-found.ts';

/**
 * The payment, if the caller reaches its customer: FORBIDDEN for a caller who reaches no customer, NOT_FOUND (as
 * for a missing payment) for another customer's payment, so a caller learns nothing of payments it may not see.
 */
export async function reachablePayment(db: Kysely<PaymentDatabase>, id: string, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<PaymentRow> {
  const reach = customerReachOf(ctx.principal);
  customerFilterFor(reach);
  const payment = await new PaymentStore(db, ctx.signal).find(id);
  if (payment === undefined || !reachesCustomer(reach, payment.customer_id)) throw paymentNotFound(id);
  return payment;
}

/**
 * Refuses, before anything is claimed or sent to the provider, a payment the caller does not reach (see
 * {@link reachablePayment}); a caller reaching every customer is not asked to read it. A payment's customer never
 * changes, so checking before the claim is as good as checking under its lock.
 */
export async function requireReachablePayment(db: Kysely<PaymentDatabase>, id: string, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<void> {
  const reach = customerReachOf(ctx.principal);
  customerFilterFor(reach);
  if (reach.kind === 'any') return;
  await reachablePayment(db, id, ctx);
}
