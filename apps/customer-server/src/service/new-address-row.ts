import type { ContractInput } from '@mcpfed/contract-common';
import type { customerAddAddress } from '@mcpfed/contract-customer';
import type { NewAddressRow } from '../store/address-store.ts';
import { newId } from './new-id.ts';

/** An address as a tool takes it (customer_add_address; each of customer_create's addresses has the same shape). */
export type AddressInput = ContractInput<typeof customerAddAddress>['address'];

/** The row of a new address of a customer, with a new id; optional fields given as null. */
export function newAddressRow(customerId: string, address: AddressInput, isDefault: boolean): NewAddressRow {
  return {
    id: newId('adr'),
    customer_id: customerId,
    kind: address.kind,
    is_default: isDefault,
    recipient_name: address.recipient_name ?? null,
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city,
    region: address.region ?? null,
    postal_code: address.postal_code,
    country: address.country,
  };
}
