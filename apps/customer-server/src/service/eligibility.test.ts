import { describe, expect, it } from 'vitest';
import type { AddressRow } from '../store/address-store.ts';
import { evaluateEligibility } from './eligibility.ts';

function address(id: string, kind: 'shipping' | 'billing', isDefault: boolean): AddressRow {
  return {
    id,
    customer_id: 'cus_x',
    kind,
    is_default: isDefault,
    recipient_name: null,
    line1: 'Main St 1',
    line2: null,
    city: 'Berlin',
    region: null,
    postal_code: '10115',
    country: 'DE',
    created_at: new Date(0),
  };
}

describe('evaluateEligibility', () => {
  it('accepts an active customer with a default shipping address', () => {
    const decision = evaluateEligibility('active', [address('adr_b', 'billing', true), address('adr_s', 'shipping', true)], undefined);
    expect(decision).toEqual({ eligible: true, reasons: [], shipping_address_id: 'adr_s' });
  });

  it('reports every failed rule with its stable code', () => {
    const decision = evaluateEligibility('suspended', [address('adr_b', 'billing', true)], undefined);
    expect(decision.eligible).toBe(false);
    expect(decision.reasons.map((r) => r.code)).toEqual(['CUSTOMER_SUSPENDED', 'NO_SHIPPING_ADDRESS']);
    expect(decision.shipping_address_id).toBeNull();
  });

  it('checks a requested address belongs to the customer and is a shipping address', () => {
    const addresses = [address('adr_b', 'billing', true), address('adr_s', 'shipping', true)];
    expect(evaluateEligibility('active', addresses, 'adr_zz').reasons.map((r) => r.code)).toEqual(['ADDRESS_NOT_FOUND']);
    expect(evaluateEligibility('blocked', addresses, 'adr_b').reasons.map((r) => r.code)).toEqual(['CUSTOMER_BLOCKED', 'ADDRESS_NOT_SHIPPING']);
    expect(evaluateEligibility('active', addresses, 'adr_s').shipping_address_id).toBe('adr_s');
  });
});
