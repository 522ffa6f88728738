import { describe, expect, it } from 'vitest';
import { RESERVATION_EXPIRY_PRINCIPAL } from './reservation-expiry-principal.ts';

describe('RESERVATION_EXPIRY_PRINCIPAL', () => {
  it('acts as system:reservation-expiry, the actor existing ledgers record for expiries', () => {
    expect(RESERVATION_EXPIRY_PRINCIPAL.id).toBe('system:reservation-expiry');
  });
});
