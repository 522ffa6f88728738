import type { CustomerStatus, EligibilityReasonCode } from '@mcpfed/contract-customer';
import type { AddressRow } from '../store/address-store.ts';

/** One failed eligibility rule. */
export interface EligibilityReason {
  code: EligibilityReasonCode;
  message: string;
}

/** The decision of {@link evaluateEligibility}. */
export interface EligibilityDecision {
  eligible: boolean;
  reasons: EligibilityReason[];
  /** The address an order would ship to; null when there is none usable. */
  shipping_address_id: string | null;
}

const STATUS_REASONS: Readonly<Record<Exclude<CustomerStatus, 'active'>, EligibilityReason>> = {
  suspended: { code: 'CUSTOMER_SUSPENDED', message: 'The customer is suspended and may not order until reactivated.' },
  blocked: { code: 'CUSTOMER_BLOCKED', message: 'The customer is blocked and may not order.' },
  anonymized: { code: 'CUSTOMER_ANONYMIZED', message: 'The customer was anonymized (erased) and can no longer order.' },
};

/**
 * The purchase rules: the customer is active, and the order ships to a shipping address of theirs — the one
 * asked for, else their default shipping address. Every failed rule is reported, not only the first, so the
 * caller can fix all of them at once.
 */
export function evaluateEligibility(status: CustomerStatus, addresses: readonly AddressRow[], requestedAddressId: string | undefined): EligibilityDecision {
  const reasons: EligibilityReason[] = [];
  if (status !== 'active') reasons.push(STATUS_REASONS[status]);

  let shippingAddressId: string | null = null;
  if (requestedAddressId !== undefined) {
    const address = addresses.find((a) => a.id === requestedAddressId);
    if (address === undefined) {
      reasons.push({ code: 'ADDRESS_NOT_FOUND', message: `The customer has no address ${requestedAddressId}.` });
    } else if (address.kind !== 'shipping') {
      reasons.push({ code: 'ADDRESS_NOT_SHIPPING', message: `Address ${requestedAddressId} is a billing address; goods cannot ship there.` });
    } else {
      shippingAddressId = address.id;
    }
  } else {
    const shipping = addresses.filter((a) => a.kind === 'shipping');
    const chosen = shipping.find((a) => a.is_default) ?? shipping[0];
    if (chosen === undefined) {
      reasons.push({ code: 'NO_SHIPPING_ADDRESS', message: 'The customer has no shipping address; add one with customer_add_address.' });
    } else {
      shippingAddressId = chosen.id;
    }
  }
  return { eligible: reasons.length === 0, reasons, shipping_address_id: shippingAddressId };
}
