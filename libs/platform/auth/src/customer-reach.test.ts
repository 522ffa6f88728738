import { describe, expect, it } from 'vitest';
import { customerFilterFor, customerReachOf, reachesCustomer, requireAnyCustomer, requireCustomer } from './customer-reach.ts';
import { localPrincipal } from './local-principal.ts';

const principal = (scopes: string[], customerId?: string) => ({ scopes: new Set(scopes), ...(customerId === undefined ? {} : { customerId }) });

describe('customer reach', () => {
  it('binds a principal with a customer to that customer, whatever its scopes', () => {
    const reach = customerReachOf(principal(['customer:any', 'admin'], 'cus_a'));
    expect(reach).toEqual({ kind: 'one', customerId: 'cus_a' });
    expect(reachesCustomer(reach, 'cus_a')).toBe(true);
    expect(reachesCustomer(reach, 'cus_b')).toBe(false);
    expect(customerFilterFor(reach)).toBe('cus_a');
    expect(customerFilterFor(reach, 'cus_a')).toBe('cus_a');
    expect(() => customerFilterFor(reach, 'cus_b')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => requireCustomer(reach, 'cus_b')).toThrow(expect.objectContaining({ code: 'FORBIDDEN', details: { bound_customer_id: 'cus_a' } }));
    expect(() => requireAnyCustomer(reach, 'order_summary')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('gives an unbound principal every customer with customer:any and none without it', () => {
    const staff = customerReachOf(principal(['customer:any']));
    expect(staff).toEqual({ kind: 'any' });
    expect(customerFilterFor(staff)).toBeUndefined();
    expect(customerFilterFor(staff, 'cus_b')).toBe('cus_b');
    expect(() => requireAnyCustomer(staff, 'x')).not.toThrow();
    const nobody = customerReachOf(principal(['customer:read', 'customer:write', 'admin']));
    expect(nobody).toEqual({ kind: 'none' });
    expect(reachesCustomer(nobody, 'cus_a')).toBe(false);
    expect(() => customerFilterFor(nobody)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', details: { required: ['customer:any'], missing: ['customer:any'] } }),
    );
    expect(() => requireCustomer(nobody, 'cus_a')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('binds a stdio principal through its customerId and refuses an invalid one', () => {
    expect(localPrincipal({ name: 'kiosk', scopes: ['order:write'], customerId: 'cus_a' }).customerId).toBe('cus_a');
    expect(localPrincipal({ name: 'kiosk', scopes: [], customerId: '  ' }).customerId).toBeUndefined();
    expect(() => localPrincipal({ name: 'kiosk', scopes: [], customerId: 'a b' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
