import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { customerMigrations } from '../migrations/index.ts';
import { AddressService } from '../src/service/address-service.ts';
import { CustomerService } from '../src/service/customer-service.ts';
import { KEPT_AFTER_ANONYMIZATION, PrivacyService } from '../src/service/privacy-service.ts';
import { TimelineService } from '../src/service/timeline-service.ts';
import type { CustomerDatabase } from '../src/store/customer-database.ts';
import { PII_CONTEXT, createCustomer, snapshotTables, testEmail } from './fixtures.ts';

let database: TestDatabase<CustomerDatabase>;

beforeAll(async () => {
  database = await createTestDatabase<CustomerDatabase>({ name: 'customer', migrations: customerMigrations });
});

afterAll(async () => {
  await database?.drop();
});

const privacy = () => new PrivacyService(database.db, PII_CONTEXT);
const customers = () => new CustomerService(database.db, PII_CONTEXT);
const addresses = () => new AddressService(database.db, PII_CONTEXT);
const timeline = () => new TimelineService(database.db, PII_CONTEXT);

/** A customer with everything erasure touches: phone, two addresses, two notes, a status reason, order stats. */
async function richCustomer() {
  const email = testEmail('erase');
  const created = await createCustomer(database.db, { email, first_name: 'Erin', last_name: 'Erasable', phone: '+4930111222' });
  await addresses().addAddress({
    customer_id: created.id,
    address: { kind: 'billing', line1: 'Bill St 1', city: 'Berlin', postal_code: '10117', country: 'DE' },
  });
  await timeline().addNote({ customer_id: created.id, body: 'Called about parcel 123' });
  await timeline().addNote({ customer_id: created.id, body: 'Prefers email' });
  await customers().setStatus({ id: created.id, status: 'suspended', reason: 'Erin disputes a payment' });
  await database.db
    .insertInto('customer_order_stats')
    .values({ customer_id: created.id, order_count: 3, lifetime_value_amount: 12_345, currency: 'EUR', last_order_at: new Date('2025-02-01T10:00:00.000Z') })
    .execute();
  const current = await customers().get({ id: created.id });
  return { id: created.id, email, version: current.version };
}

describe('customer_export_data', () => {
  it('contains the unmasked profile, addresses, notes and the whole timeline', async () => {
    const { id, email } = await richCustomer();
    const exported = await privacy().exportData({ customer_id: id });
    expect(exported.customer).toMatchObject({ id, email, phone: '+4930111222', pii_masked: false, status: 'suspended' });
    expect(exported.customer.addresses.map((a) => a.line1).sort()).toEqual(['Bill St 1', 'Hauptstraße 5']);
    expect(exported.customer.order_stats).toEqual({
      order_count: 3,
      lifetime_value: { amount: 12_345, currency: 'EUR' },
      last_order_at: '2025-02-01T10:00:00.000Z',
    });
    expect(exported.notes.map((n) => n.body)).toEqual(['Called about parcel 123', 'Prefers email']);
    expect(exported.events.map((e) => e.type)).toEqual([
      'customer.created',
      'customer.address_added',
      'customer.address_added',
      'customer.note_added',
      'customer.note_added',
      'customer.status_changed',
    ]);
    await expect(privacy().exportData({ customer_id: 'cus_00000000000000000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('customer_anonymize', () => {
  it('dry run reports exactly what would be erased and changes no row', async () => {
    const { id, version } = await richCustomer();
    const before = await snapshotTables(database.db);
    const report = await privacy().anonymize({ customer_id: id, dry_run: true });
    expect(report).toEqual({
      customer_id: id,
      dry_run: true,
      anonymized: false,
      erased: { fields: ['email', 'first_name', 'last_name', 'phone', 'status_reason'], addresses: 2, notes: 2, event_reasons: 1 },
      kept: [...KEPT_AFTER_ANONYMIZATION],
      version,
      anonymized_at: null,
    });
    expect(await snapshotTables(database.db)).toEqual(before);
  });

  it('erases personal data but keeps the id, tier, stats and event types; a second call is PRECONDITION_FAILED', async () => {
    const { id, email, version } = await richCustomer();
    const dry = await privacy().anonymize({ customer_id: id, dry_run: true });
    await expect(privacy().anonymize({ customer_id: id, dry_run: false, expected_version: version - 1 })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { current_version: version },
    });
    const done = await privacy().anonymize({ customer_id: id, dry_run: false, expected_version: version, reason: 'DSR-2025-17' });
    expect(done).toMatchObject({ dry_run: false, anonymized: true, erased: dry.erased, version: version + 1 });
    expect(done.anonymized_at).not.toBeNull();

    const row = await database.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ id, email: null, first_name: null, last_name: null, phone: null, status: 'anonymized', status_reason: null, tier: 'standard' });
    expect(row.search_name.trim()).toBe('');
    expect(await database.db.selectFrom('addresses').select('id').where('customer_id', '=', id).execute()).toEqual([]);
    const notes = await database.db.selectFrom('customer_notes').select(['body', 'author']).where('customer_id', '=', id).execute();
    expect(notes).toEqual([
      { body: null, author: 'test:agent' },
      { body: null, author: 'test:agent' },
    ]);
    const events = await database.db
      .selectFrom('customer_events')
      .select(['type', 'data'])
      .where('customer_id', '=', id)
      .orderBy('occurred_at')
      .orderBy('id')
      .execute();
    expect(events.find((e) => e.type === 'customer.status_changed')?.data).toEqual({ from: 'active', to: 'suspended' });
    expect(events.at(-1)).toEqual({
      type: 'customer.anonymized',
      data: { erased_fields: ['email', 'first_name', 'last_name', 'phone', 'status_reason'], addresses: 2, notes: 2, event_reasons: 1, reason: 'DSR-2025-17' },
    });
    const profile = await customers().get({ id });
    expect(profile.order_stats).toEqual({ order_count: 3, lifetime_value: { amount: 12_345, currency: 'EUR' }, last_order_at: '2025-02-01T10:00:00.000Z' });
    expect(JSON.stringify(await privacy().exportData({ customer_id: id }))).not.toMatch(
      new RegExp(`${email}|Erin|Erasable|4930111222|Hauptstra|parcel 123|disputes`),
    );

    await expect(privacy().anonymize({ customer_id: id, dry_run: true })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    await expect(privacy().anonymize({ customer_id: id, dry_run: false, expected_version: version + 1 })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
    });
    await expect(customers().update({ id, expected_version: version + 1, changes: { tier: 'gold' } })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    await expect(customers().get({ email })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The email is free again: the person may register anew.
    const again = await createCustomer(database.db, { email });
    expect(again.id).not.toBe(id);
  });
});
