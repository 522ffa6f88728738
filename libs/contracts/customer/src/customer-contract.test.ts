import { describe, expect, it } from 'vitest';
import { customerAnonymize, customerContract, customerCreate, customerGet, customerQuerySql, customerSearch, customerUpdate } from './index.ts';

const ID = 'cus_01j9z3k8q4m2n6p7r8s9t0v1w2';

describe('customer contract', () => {
  it('lists every tool once, all in the customer domain', () => {
    const names = customerContract.tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => n.startsWith('customer_'))).toBe(true);
    expect(names).toHaveLength(13);
  });

  it('customer_get takes exactly one of id and email', () => {
    expect(customerGet.input.safeParse({ id: ID }).success).toBe(true);
    expect(customerGet.input.safeParse({ email: 'a@example.com' }).success).toBe(true);
    expect(customerGet.input.safeParse({ id: ID, email: 'a@example.com' }).success).toBe(false);
    expect(customerGet.input.safeParse({}).success).toBe(false);
    expect(customerGet.input.safeParse({ id: 'cus_short' }).success).toBe(false);
  });

  it('refuses unknown fields, bad emails, oversized strings and unknown countries', () => {
    const base = { email: 'jane@example.com', first_name: 'Jane', last_name: 'Doe' };
    expect(customerCreate.input.safeParse(base).success).toBe(true);
    expect(customerCreate.input.safeParse({ ...base, admin: true }).success).toBe(false);
    expect(customerCreate.input.safeParse({ ...base, email: 'not-an-email' }).success).toBe(false);
    expect(customerCreate.input.safeParse({ ...base, first_name: 'x'.repeat(201) }).success).toBe(false);
    const address = { kind: 'shipping', line1: 'Main St 1', city: 'Berlin', postal_code: '10115', country: 'DE' };
    expect(customerCreate.input.safeParse({ ...base, addresses: [address] }).success).toBe(true);
    expect(customerCreate.input.safeParse({ ...base, addresses: [{ ...address, country: 'UK' }] }).success).toBe(false);
    expect(customerCreate.input.safeParse({ ...base, addresses: [{ ...address, country: 'de' }] }).success).toBe(false);
    expect(customerCreate.input.safeParse({ ...base, phone: '030 1234' }).success).toBe(false);
  });

  it('defaults tier, limit and the anonymize dry run', () => {
    expect(customerCreate.input.parse({ email: 'a@example.com', first_name: 'A', last_name: 'B' }).tier).toBe('standard');
    expect(customerSearch.input.parse({}).limit).toBe(20);
    expect(customerQuerySql.input.parse({ sql: 'select 1' }).limit).toBe(100);
    expect(customerAnonymize.input.parse({ customer_id: ID }).dry_run).toBe(true);
  });

  it('needs expected_version for a real anonymization', () => {
    const result = customerAnonymize.input.safeParse({ customer_id: ID, dry_run: false });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['expected_version']);
    expect(customerAnonymize.input.safeParse({ customer_id: ID, dry_run: false, expected_version: 3 }).success).toBe(true);
  });

  it('customer_update needs at least one change and allows clearing the phone', () => {
    expect(customerUpdate.input.safeParse({ id: ID, expected_version: 1, changes: {} }).success).toBe(false);
    expect(customerUpdate.input.safeParse({ id: ID, expected_version: 1, changes: { phone: null } }).success).toBe(true);
  });
});
