/**
 * Principals bound to customers, against the real customer-server process (HTTP with dev-issuer tokens, and stdio):
 * a token carrying `customer_id` reaches only that customer; an unbound token reaches customers only with
 * `customer:any`. A call naming another customer is FORBIDDEN, a look-up by email landing on another customer is
 * NOT_FOUND (like an unknown email), lists hold only the bound customer, and nothing refused writes a row.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SCOPES } from '@mcpfed/contract-common';
import { expectToolError, expectToolOk, idempotencyKey, startDomainServerProcess } from '@mcpfed/testing';
import type { DomainServerProcess } from '@mcpfed/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Customer {
  id: string;
  email: string;
  version: number;
}

const CUSTOMER_SCOPES = ['customer:read', 'customer:write', 'customer:pii'];
const ADDRESS = { kind: 'shipping', line1: 'Hauptstraße 1', city: 'Berlin', postal_code: '10115', country: 'DE' };

let app: DomainServerProcess;
let staff: Client;
let a: Customer;
let b: Customer;

async function create(client: Client, name: string): Promise<Customer> {
  const email = `${name}.${process.pid}.${Math.random().toString(36).slice(2, 8)}@example.com`;
  const created = await expectToolOk<{ customer: Customer }>(client, 'customer_create', {
    email,
    first_name: name,
    last_name: 'Bound',
    tier: 'standard',
    addresses: [ADDRESS],
    idempotency_key: idempotencyKey(),
  });
  return created.customer;
}

beforeAll(async () => {
  app = await startDomainServerProcess({ app: 'customer-server', label: 'cus_binding', scopes: SCOPES });
  staff = await app.httpClient([...CUSTOMER_SCOPES, 'customer:any'], 'staff-1');
  a = await create(staff, 'Alice');
  b = await create(staff, 'Bob');
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('a token bound to customer A', () => {
  let bound: Client;
  beforeAll(async () => {
    bound = await app.httpClient(CUSTOMER_SCOPES, 'shopper-a', { customerId: a.id });
  });

  it('reads and changes A', async () => {
    expect((await expectToolOk<{ id: string }>(bound, 'customer_get', { id: a.id })).id).toBe(a.id);
    expect((await expectToolOk<{ id: string }>(bound, 'customer_get', { email: a.email })).id).toBe(a.id);
    const updated = await expectToolOk<{ customer: Customer }>(bound, 'customer_update', {
      id: a.id,
      expected_version: a.version,
      changes: { first_name: 'Alicia' },
    });
    expect(updated.customer.version).toBe(a.version + 1);
    a = updated.customer;
    const search = await expectToolOk<{ items: Array<{ id: string }> }>(bound, 'customer_search', { limit: 100 });
    expect(search.items.map((item) => item.id)).toEqual([a.id]);
    const byName = await expectToolOk<{ items: Array<{ id: string }> }>(bound, 'customer_search', { query: 'Bob Bound', limit: 100 });
    expect(byName.items.length).toBeGreaterThan(0); // A matches "Bound" too
    expect(byName.items.filter((item) => item.id !== a.id)).toEqual([]);
  });

  it('cannot read, change, annotate or export B (FORBIDDEN, B unchanged, no row written)', async () => {
    const before = await app.rowCounts();
    const forbidden: Array<[string, Record<string, unknown>]> = [
      ['customer_get', { id: b.id }],
      ['customer_update', { id: b.id, expected_version: b.version, changes: { first_name: 'Mallory' } }],
      ['customer_add_address', { customer_id: b.id, address: ADDRESS }],
      ['customer_remove_address', { customer_id: b.id, address_id: 'adr_00000000000000000000000000' }],
      ['customer_add_note', { customer_id: b.id, body: 'written by A' }],
      ['customer_timeline', { customer_id: b.id }],
      ['customer_check_eligibility', { customer_id: b.id }],
      ['customer_export_data', { customer_id: b.id }],
    ];
    for (const [tool, args] of forbidden) {
      const error = await expectToolError(bound, tool, args);
      expect({ tool, code: error.code, details: error.details }).toEqual({ tool, code: 'FORBIDDEN', details: { bound_customer_id: a.id } });
    }
    await expect(bound.readResource({ uri: `customer://${b.id}` })).rejects.toThrow(/customer/i);
    expect(await app.rowCounts()).toEqual(before);
    const unchanged = await expectToolOk<Customer & { first_name: string }>(staff, 'customer_get', { id: b.id });
    expect(unchanged).toMatchObject({ version: b.version, first_name: 'Bob' });
  });

  it('finds B by email no more than an unknown email (NOT_FOUND, same answer)', async () => {
    const other = await expectToolError(bound, 'customer_get', { email: b.email });
    const unknown = await expectToolError(bound, 'customer_get', { email: `nobody.${process.pid}@example.com` });
    expect(other.code).toBe('NOT_FOUND');
    expect(other).toEqual(unknown);
  });

  it('cannot create customers, change a status or run SQL: staff operations (FORBIDDEN, nothing written)', async () => {
    const before = await app.rowCounts();
    const admin = await app.httpClient([...CUSTOMER_SCOPES, 'sql:read'], 'shopper-a2', { customerId: a.id });
    expect(
      (await expectToolError(admin, 'customer_create', { email: `new.${process.pid}@example.com`, first_name: 'N', last_name: 'N', tier: 'standard' })).code,
    ).toBe('FORBIDDEN');
    expect((await expectToolError(admin, 'customer_set_status', { id: a.id, status: 'active', reason: 'lift my own block' })).code).toBe('FORBIDDEN');
    expect((await expectToolError(admin, 'customer_query_sql', { sql: 'SELECT 1' })).code).toBe('FORBIDDEN');
    expect(await app.rowCounts()).toEqual(before);
  });

  it('holds for customer:any too: a bound token never reaches further', async () => {
    const boundStaff = await app.httpClient([...CUSTOMER_SCOPES, 'customer:any'], 'shopper-a3', { customerId: a.id });
    expect((await expectToolError(boundStaff, 'customer_get', { id: b.id })).code).toBe('FORBIDDEN');
  });
});

describe('an unbound token', () => {
  it('without customer:any reaches no customer (FORBIDDEN naming customer:any, nothing written)', async () => {
    const before = await app.rowCounts();
    const plain = await app.httpClient(CUSTOMER_SCOPES, 'agent-no-reach');
    for (const [tool, args] of [
      ['customer_get', { id: a.id }],
      ['customer_get', { email: a.email }],
      ['customer_search', {}],
      ['customer_update', { id: a.id, expected_version: a.version, changes: { first_name: 'X' } }],
      ['customer_add_note', { customer_id: a.id, body: 'x' }],
    ] as const) {
      const error = await expectToolError(plain, tool, args);
      expect({ tool, code: error.code, details: error.details }).toEqual({
        tool,
        code: 'FORBIDDEN',
        details: { required: ['customer:any'], missing: ['customer:any'] },
      });
    }
    expect(await app.rowCounts()).toEqual(before);
  });

  it('with customer:any (staff) reaches every customer', async () => {
    expect((await expectToolOk<{ id: string }>(staff, 'customer_get', { id: b.id })).id).toBe(b.id);
    const search = await expectToolOk<{ items: Array<{ id: string }> }>(staff, 'customer_search', { limit: 100 });
    expect(search.items.map((item) => item.id).sort()).toEqual([a.id, b.id].sort());
  });
});

describe('a stdio session bound by STDIO_CUSTOMER_ID', () => {
  it('reaches only its customer', async () => {
    const local = await app.stdioClient(CUSTOMER_SCOPES, 'kiosk', { customerId: a.id });
    expect((await expectToolOk<{ id: string }>(local, 'customer_get', { id: a.id })).id).toBe(a.id);
    expect(await expectToolError(local, 'customer_get', { id: b.id })).toMatchObject({ code: 'FORBIDDEN', details: { bound_customer_id: a.id } });
  }, 60_000);
});
