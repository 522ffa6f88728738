import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { customerMigrations } from '../migrations/index.ts';
import { AddressService } from '../src/service/address-service.ts';
import { CustomerService } from '../src/service/customer-service.ts';
import { TimelineService } from '../src/service/timeline-service.ts';
import type { CustomerDatabase } from '../src/store/customer-database.ts';
import { MASKED_CONTEXT, PII_CONTEXT, createCustomer, snapshotTables, testEmail } from './fixtures.ts';

let database: TestDatabase<CustomerDatabase>;

beforeAll(async () => {
  database = await createTestDatabase<CustomerDatabase>({ name: 'customer', migrations: customerMigrations });
});

afterAll(async () => {
  await database?.drop();
});

const pii = () => new CustomerService(database.db, PII_CONTEXT);
const masked = () => new CustomerService(database.db, MASKED_CONTEXT);
const addresses = () => new AddressService(database.db, PII_CONTEXT);
const timeline = () => new TimelineService(database.db, PII_CONTEXT);

async function eventTypes(customerId: string): Promise<string[]> {
  const rows = await database.db
    .selectFrom('customer_events')
    .select('type')
    .where('customer_id', '=', customerId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.type);
}

describe('create and get', () => {
  it('creates a customer with addresses, zero order stats and a timeline', async () => {
    const email = testEmail('ada');
    const { customer } = await pii().create({
      email,
      first_name: 'Ada',
      last_name: 'Lovelace',
      phone: '+441234567890',
      tier: 'gold',
      addresses: [
        { kind: 'billing', line1: 'St James Square 12', city: 'London', postal_code: 'SW1Y 4JH', country: 'GB' },
        { kind: 'shipping', line1: 'Marylebone Rd 5', city: 'London', postal_code: 'NW1 5LR', country: 'GB' },
        { kind: 'shipping', line1: 'Baker St 221b', city: 'London', postal_code: 'NW1 6XE', country: 'GB', is_default: true },
      ],
    });
    expect(customer).toMatchObject({ email, first_name: 'Ada', tier: 'gold', status: 'active', version: 1, pii_masked: false });
    expect(customer.id).toMatch(/^cus_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(customer.order_stats).toEqual({ order_count: 0, lifetime_value: { amount: 0, currency: 'EUR' }, last_order_at: null });
    const defaults = customer.addresses
      .filter((a) => a.is_default)
      .map((a) => `${a.kind}:${a.line1}`)
      .sort();
    expect(defaults).toEqual(['billing:St James Square 12', 'shipping:Baker St 221b']);
    expect(await eventTypes(customer.id)).toEqual(['customer.created', 'customer.address_added', 'customer.address_added', 'customer.address_added']);
    const byEmail = await pii().get({ email: email.toUpperCase() });
    expect(byEmail.id).toBe(customer.id);
  });

  it('masks email, phone, address lines and postal codes without customer:pii', async () => {
    const email = testEmail('grace');
    const created = await createCustomer(database.db, { email, first_name: 'Grace', last_name: 'Hopper', phone: '+4930123456' });
    const view = await masked().get({ id: created.id });
    expect(view).toMatchObject({ first_name: 'Grace', last_name: 'Hopper', email: 'g***@example.com', phone: '+********56', pii_masked: true });
    expect(view.addresses[0]).toMatchObject({ line1: '***', line2: '***', postal_code: '1****', city: 'Berlin', country: 'DE' });
    const clear = await pii().get({ id: created.id });
    expect(clear).toMatchObject({ email, phone: '+4930123456', pii_masked: false });
    expect(clear.addresses[0]).toMatchObject({ line1: 'Hauptstraße 5', line2: 'Apartment 4', postal_code: '10115' });
  });

  it('refuses a second customer with the same email in another case, writing nothing', async () => {
    const email = testEmail('dup');
    await createCustomer(database.db, { email });
    const before = await snapshotTables(database.db);
    await expect(pii().create({ email: email.toUpperCase(), first_name: 'Other', last_name: 'Person', tier: 'standard', addresses: [] })).rejects.toMatchObject(
      { code: 'CONFLICT', details: { field: 'email' } },
    );
    expect(await snapshotTables(database.db)).toEqual(before);
  });

  it('says NOT_FOUND for an unknown id or email', async () => {
    await expect(pii().get({ id: 'cus_00000000000000000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(pii().get({ email: 'nobody@example.com' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses two defaults of one kind', async () => {
    const address = { kind: 'shipping' as const, line1: 'A 1', city: 'Berlin', postal_code: '10115', country: 'DE', is_default: true };
    await expect(pii().create({ email: testEmail(), first_name: 'A', last_name: 'B', tier: 'standard', addresses: [address, address] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});

describe('update', () => {
  it('changes only the fields that differ, bumps the version and records the field names', async () => {
    const created = await createCustomer(database.db, { first_name: 'Alan', last_name: 'Turing' });
    const result = await pii().update({ id: created.id, expected_version: 1, changes: { first_name: 'Alan', last_name: 'M. Turing', tier: 'silver' } });
    expect(result.changed_fields).toEqual(['last_name', 'tier']);
    expect(result.customer).toMatchObject({ last_name: 'M. Turing', tier: 'silver', version: 2 });
    const event = await database.db
      .selectFrom('customer_events')
      .select(['data', 'actor'])
      .where('customer_id', '=', created.id)
      .where('type', '=', 'customer.updated')
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ data: { fields: ['last_name', 'tier'] }, actor: 'test:agent' });
  });

  it('fails with CONFLICT and the current version when expected_version is stale, changing nothing', async () => {
    const created = await createCustomer(database.db);
    await pii().update({ id: created.id, expected_version: 1, changes: { tier: 'gold' } });
    const before = await snapshotTables(database.db);
    await expect(pii().update({ id: created.id, expected_version: 1, changes: { tier: 'platinum' } })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { current_version: 2, expected_version: 1 },
    });
    expect(await snapshotTables(database.db)).toEqual(before);
  });

  it('refuses an email another customer has, and clears a phone with null', async () => {
    const taken = testEmail('taken');
    await createCustomer(database.db, { email: taken });
    const created = await createCustomer(database.db, { phone: '+4930999999' });
    await expect(pii().update({ id: created.id, expected_version: 1, changes: { email: taken.toUpperCase() } })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { field: 'email' },
    });
    const cleared = await pii().update({ id: created.id, expected_version: 1, changes: { phone: null } });
    expect(cleared.customer.phone).toBeNull();
    expect(cleared.changed_fields).toEqual(['phone']);
  });

  it('leaves the version alone when nothing changes', async () => {
    const created = await createCustomer(database.db, { tier: 'gold' });
    const result = await pii().update({ id: created.id, expected_version: 1, changes: { tier: 'gold' } });
    expect(result.changed_fields).toEqual([]);
    expect(result.customer.version).toBe(1);
  });
});

describe('status and eligibility', () => {
  it('suspends, reports reasons, reactivates', async () => {
    const created = await createCustomer(database.db);
    expect(await addresses().checkEligibility({ customer_id: created.id })).toEqual({
      customer_id: created.id,
      eligible: true,
      status: 'active',
      reasons: [],
      shipping_address_id: created.addresses[0]?.id,
    });
    const suspended = await pii().setStatus({ id: created.id, status: 'suspended', reason: 'Payment dispute', expected_version: 1 });
    expect(suspended).toMatchObject({
      previous_status: 'active',
      changed: true,
      customer: { status: 'suspended', status_reason: 'Payment dispute', version: 2 },
    });
    const ineligible = await addresses().checkEligibility({ customer_id: created.id });
    expect(ineligible.eligible).toBe(false);
    expect(ineligible.reasons.map((r) => r.code)).toEqual(['CUSTOMER_SUSPENDED']);

    const again = await pii().setStatus({ id: created.id, status: 'suspended', reason: 'Still disputed' });
    expect(again).toMatchObject({ changed: false, customer: { version: 2, status_reason: 'Payment dispute' } });
    await expect(pii().setStatus({ id: created.id, status: 'active', reason: 'Resolved', expected_version: 1 })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { current_version: 2 },
    });
    await pii().setStatus({ id: created.id, status: 'active', reason: 'Resolved', expected_version: 2 });
    expect((await addresses().checkEligibility({ customer_id: created.id })).eligible).toBe(true);
    const statusEvents = await database.db
      .selectFrom('customer_events')
      .select('data')
      .where('customer_id', '=', created.id)
      .where('type', '=', 'customer.status_changed')
      .orderBy('occurred_at')
      .orderBy('id')
      .execute();
    expect(statusEvents.map((e) => e.data)).toEqual([
      { from: 'active', to: 'suspended', reason: 'Payment dispute' },
      { from: 'suspended', to: 'active', reason: 'Resolved' },
    ]);
  });

  it('lists every failed rule of a blocked customer without a shipping address', async () => {
    const created = await createCustomer(database.db, { shipping: false });
    await addresses().addAddress({ customer_id: created.id, address: { kind: 'billing', line1: 'B 1', city: 'Paris', postal_code: '75001', country: 'FR' } });
    await pii().setStatus({ id: created.id, status: 'blocked', reason: 'Fraud' });
    const decision = await addresses().checkEligibility({ customer_id: created.id });
    expect(decision).toMatchObject({ eligible: false, status: 'blocked', shipping_address_id: null });
    expect(decision.reasons.map((r) => r.code)).toEqual(['CUSTOMER_BLOCKED', 'NO_SHIPPING_ADDRESS']);
    const billingId = (await pii().get({ id: created.id })).addresses[0]?.id as string;
    const withBilling = await addresses().checkEligibility({ customer_id: created.id, shipping_address_id: billingId });
    expect(withBilling.reasons.map((r) => r.code)).toEqual(['CUSTOMER_BLOCKED', 'ADDRESS_NOT_SHIPPING']);
    const foreign = await addresses().checkEligibility({ customer_id: created.id, shipping_address_id: 'adr_00000000000000000000000000' });
    expect(foreign.reasons.map((r) => r.code)).toEqual(['CUSTOMER_BLOCKED', 'ADDRESS_NOT_FOUND']);
  });

  it('says NOT_FOUND for an unknown customer', async () => {
    await expect(addresses().checkEligibility({ customer_id: 'cus_00000000000000000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('addresses and notes', () => {
  it('adds addresses with default handling and removes them, promoting the latest', async () => {
    const created = await createCustomer(database.db);
    const firstShipping = created.addresses[0]?.id as string;
    const second = await addresses().addAddress({
      customer_id: created.id,
      expected_version: 1,
      address: { kind: 'shipping', line1: 'Second 2', city: 'Hamburg', postal_code: '20095', country: 'DE' },
    });
    expect(second).toMatchObject({ customer_version: 2, replayed: false, address: { is_default: false } });
    const third = await addresses().addAddress({
      customer_id: created.id,
      address: { kind: 'shipping', line1: 'Third 3', city: 'Munich', postal_code: '80331', country: 'DE', is_default: true },
    });
    expect(third.address.is_default).toBe(true);
    const afterThird = await pii().get({ id: created.id });
    expect(afterThird.addresses.filter((a) => a.is_default).map((a) => a.id)).toEqual([third.address.id]);

    const removed = await addresses().removeAddress({ customer_id: created.id, address_id: third.address.id, expected_version: 3 });
    expect(removed).toEqual({
      customer_id: created.id,
      removed_address_id: third.address.id,
      new_default_address_id: second.address.id,
      customer_version: 4,
    });
    await expect(addresses().removeAddress({ customer_id: created.id, address_id: third.address.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const final = await pii().get({ id: created.id });
    expect(final.addresses.map((a) => [a.id, a.is_default])).toEqual([
      [second.address.id, true],
      [firstShipping, false],
    ]);
  });

  it('refuses a 21st address with LIMIT_EXCEEDED', async () => {
    const created = await createCustomer(database.db, { shipping: false });
    for (let i = 0; i < 20; i++) {
      await addresses().addAddress({
        customer_id: created.id,
        address: { kind: 'billing', line1: `Line ${i}`, city: 'Oslo', postal_code: '0150', country: 'NO' },
      });
    }
    await expect(
      addresses().addAddress({
        customer_id: created.id,
        address: { kind: 'billing', line1: 'One too many', city: 'Oslo', postal_code: '0150', country: 'NO' },
      }),
    ).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { max: 20 } });
  });

  it('adds notes by the caller and pages the timeline newest first', async () => {
    const created = await createCustomer(database.db, { shipping: false });
    for (let i = 1; i <= 5; i++) {
      const { note } = await timeline().addNote({ customer_id: created.id, body: `Note ${i}` });
      expect(note).toMatchObject({ body: `Note ${i}`, author: 'test:agent' });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await timeline().timeline({ customer_id: created.id, limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.items.map((e) => e.type));
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual([...Array(5).fill('customer.note_added'), 'customer.created']);
    const created_only = await timeline().timeline({ customer_id: created.id, limit: 10, filter: { types: ['customer.created'] } });
    expect(created_only.items.map((e) => e.summary)).toEqual(['Customer created (tier standard)']);
    await expect(timeline().timeline({ customer_id: 'cus_00000000000000000000000000', limit: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
