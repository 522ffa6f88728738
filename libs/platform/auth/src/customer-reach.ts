import { AppError } from '@mcpfed/errors';
import type { Principal } from './principal.ts';

/**
 * The scope of staff and service principals that reach every customer's data. A principal bound to a customer
 * (`customerId`) never reaches further, whatever its scopes; an unbound principal without it reaches no customer.
 */
export const CUSTOMER_ANY_SCOPE = 'customer:any';

/**
 * Which customers a principal may read and act for:
 * - `any`: every customer (an unbound principal holding `customer:any`: staff, services, the local operator);
 * - `one`: only `customerId` (a token carrying the customer claim, or a stdio process with STDIO_CUSTOMER_ID);
 * - `none`: no customer (an unbound principal without `customer:any`).
 */
export type CustomerReach = { readonly kind: 'any' } | { readonly kind: 'one'; readonly customerId: string } | { readonly kind: 'none' };

const ANY: CustomerReach = Object.freeze({ kind: 'any' });
const NONE: CustomerReach = Object.freeze({ kind: 'none' });

/** The reach of `principal`: bound to its customer when it has one, else `any` with `customer:any`, else `none`. */
export function customerReachOf(principal: Pick<Principal, 'customerId' | 'scopes'>): CustomerReach {
  if (principal.customerId !== undefined) return Object.freeze({ kind: 'one', customerId: principal.customerId });
  return principal.scopes.has(CUSTOMER_ANY_SCOPE) ? ANY : NONE;
}

/** Whether `reach` covers the data of customer `customerId`. */
export function reachesCustomer(reach: CustomerReach, customerId: string): boolean {
  return reach.kind === 'any' || (reach.kind === 'one' && reach.customerId === customerId);
}

/**
 * The customer a list must be limited to: `undefined` for `any` (no limit), the bound customer for `one`. A list
 * filtered by another customer than the bound one, and any list of a `none` principal, is FORBIDDEN.
 * @param requested The customer the caller's filter names, if any.
 */
export function customerFilterFor(reach: CustomerReach, requested?: string): string | undefined {
  if (reach.kind === 'any') return requested;
  if (reach.kind === 'none') throw noCustomerReach();
  if (requested !== undefined && requested !== reach.customerId) throw otherCustomer(reach.customerId);
  return reach.customerId;
}

/**
 * Refuses (FORBIDDEN) a call that names customer `customerId` when `reach` does not cover it. The caller named the
 * customer itself, so saying it is out of reach reveals nothing it did not already know.
 */
export function requireCustomer(reach: CustomerReach, customerId: string): void {
  if (reach.kind === 'none') throw noCustomerReach();
  if (reach.kind === 'one' && reach.customerId !== customerId) throw otherCustomer(reach.customerId);
}

/**
 * Refuses (FORBIDDEN) unless `reach` is `any`: for what spans every customer (summaries, SQL, workflows, creating
 * customers, changing their status) or is an operator's job (fulfilment).
 * @param what What is refused, for the message, e.g. `order_summary`.
 */
export function requireAnyCustomer(reach: CustomerReach, what: string): void {
  if (reach.kind === 'any') return;
  throw new AppError(
    'FORBIDDEN',
    `${what} spans customers or is a staff operation: it needs the scope ${CUSTOMER_ANY_SCOPE} and a token not bound to one customer.`,
    {
      details: { required: [CUSTOMER_ANY_SCOPE], missing: [CUSTOMER_ANY_SCOPE], ...(reach.kind === 'one' ? { bound_customer_id: reach.customerId } : {}) },
    },
  );
}

function noCustomerReach(): AppError {
  return new AppError(
    'FORBIDDEN',
    `This call reaches customer data: it needs a token bound to a customer (its customer claim) or the scope ${CUSTOMER_ANY_SCOPE}.`,
    { details: { required: [CUSTOMER_ANY_SCOPE], missing: [CUSTOMER_ANY_SCOPE] } },
  );
}

function otherCustomer(boundCustomerId: string): AppError {
  return new AppError('FORBIDDEN', `This token acts for customer ${boundCustomerId} only; it cannot reach another customer's data.`, {
    details: { bound_customer_id: boundCustomerId },
  });
}
