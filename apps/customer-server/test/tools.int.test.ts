import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerContract } from '@mcpfed/contract-customer';
import { callTool, expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import type { CustomerDatabase } from '../src/store/customer-database.ts';
import { ALL_CUSTOMER_SCOPES, startCustomerTestHost } from './customer-test-host.ts';
import type { CustomerTestHost } from './customer-test-host.ts';
import { snapshotTables, testEmail } from './fixtures.ts';

let testHost: CustomerTestHost;
let database: TestDatabase<CustomerDatabase>;

/** Every scope the customer server knows. */
const ALL = ALL_CUSTOMER_SCOPES;
let admin: Client;
let writer: Client;
let viewer: Client;

async function connect(scopes: string[], subject: string): Promise<Client> {
  return testHost.connect(scopes, subject);
}

interface Customer {
  id: string;
  email: string | null;
  phone: string | null;
  version: number;
  status: string;
  pii_masked: boolean;
  addresses: Array<{ id: string; kind: string; is_default: boolean; line1: string; postal_code: string }>;
  order_stats: unknown;
}

async function newCustomer(overrides: Record<string, unknown> = {}): Promise<Customer> {
  const out = await expectToolOk<{ customer: Customer }>(admin, 'customer_create', {
    email: testEmail('mcp'),
    first_name: 'Mara',
    last_name: 'Client',
    phone: '+4915112345678',
    addresses: [{ kind: 'shipping', line1: 'Torstraße 1', city: 'Berlin', postal_code: '10119', country: 'DE' }],
    ...overrides,
  });
  return out.customer;
}

const UNKNOWN = 'cus_00000000000000000000000000';

beforeAll(async () => {
  // Never flushed on its own during the tests: a record a test finds was written by the call itself.
  testHost = await startCustomerTestHost({ auditFlushIntervalMs: 3_600_000 });
  ({ database } = testHost);
  admin = await connect(ALL, 'admin-user');
  writer = await connect(['customer:read', 'customer:write'], 'writer-user');
  viewer = await connect(['customer:read'], 'viewer-user');
});

afterAll(async () => {
  await testHost?.close();
});

describe('tools/list', () => {
  it('lists every contract tool for a caller with all scopes, with strict input schemas', async () => {
    const tools = (await admin.listTools()).tools;
    expect(tools.map((t) => t.name).sort()).toEqual(customerContract.tools.map((t) => t.name).sort());
    for (const tool of tools) {
      expect(tool.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
      expect(Object.keys(tool.annotations ?? {})).toEqual(expect.arrayContaining(['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']));
    }
  });

  it('hides tools whose scopes the caller lacks', async () => {
    const names = (await viewer.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['customer_check_eligibility', 'customer_get', 'customer_search', 'customer_timeline']);
  });
});

describe('customer_create', () => {
  it('creates, links the customer and replays a retry with the same idempotency key', async () => {
    const key = idempotencyKey();
    const args = { email: testEmail('idem'), first_name: 'Ida', last_name: 'Em', idempotency_key: key };
    const first = await callTool(writer, 'customer_create', args);
    const created = first.structuredContent as { customer: Customer; replayed: boolean };
    expect(created.replayed).toBe(false);
    expect(created.customer).toMatchObject({ status: 'active', version: 1, pii_masked: true, email: 'i***@example.com' });
    expect(first.content).toContainEqual(expect.objectContaining({ type: 'resource_link', uri: `customer://${created.customer.id}` }));
    const again = await expectToolOk<{ customer: Customer; replayed: boolean }>(writer, 'customer_create', args);
    expect(again).toEqual({ ...created, replayed: true });
    const reused = await expectToolError(writer, 'customer_create', { ...args, first_name: 'Other' });
    expect(reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const rows = await database.db.selectFrom('customers').select('id').where('first_name', 'in', ['Ida', 'Other']).execute();
    expect(rows).toEqual([{ id: created.customer.id }]);
  });

  it('fails with CONFLICT on a taken email and writes nothing', async () => {
    const email = testEmail('taken');
    await newCustomer({ email });
    const before = await snapshotTables(database.db);
    const error = await expectToolError(admin, 'customer_create', { email: email.toUpperCase(), first_name: 'Second', last_name: 'Try' });
    expect(error).toMatchObject({ code: 'CONFLICT', retryable: false, details: { field: 'email' } });
    expect(await snapshotTables(database.db)).toEqual(before);
  });

  it('refuses wrong types, unknown fields and 1 MB strings with VALIDATION_FAILED, writing nothing', async () => {
    const before = await snapshotTables(database.db);
    const base = { email: testEmail(), first_name: 'Val', last_name: 'Idation' };
    const wrongType = await expectToolError(admin, 'customer_create', { ...base, first_name: 42 });
    expect(wrongType.code).toBe('VALIDATION_FAILED');
    expect(wrongType.details?.['issues']).toEqual([expect.objectContaining({ path: 'first_name' })]);
    expect((await expectToolError(admin, 'customer_create', { ...base, is_admin: true })).code).toBe('VALIDATION_FAILED');
    expect((await expectToolError(admin, 'customer_create', { ...base, last_name: 'x'.repeat(1_000_000) })).code).toBe('VALIDATION_FAILED');
    expect((await expectToolError(admin, 'customer_create', { ...base, email: 'not-an-email' })).code).toBe('VALIDATION_FAILED');
    expect(
      (await expectToolError(admin, 'customer_create', { ...base, addresses: [{ kind: 'shipping', line1: 'x', city: 'y', postal_code: '1', country: 'UK' }] }))
        .code,
    ).toBe('VALIDATION_FAILED');
    expect(await snapshotTables(database.db)).toEqual(before);
  });

  it('is FORBIDDEN without customer:write', async () => {
    const error = await expectToolError(viewer, 'customer_create', { email: testEmail(), first_name: 'No', last_name: 'Scope' });
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { missing: ['customer:write'] } });
  });
});

describe('customer_get and customer_search', () => {
  it('masks personal data unless the caller holds customer:pii', async () => {
    const customer = await newCustomer({ first_name: 'Maskella' });
    const masked = await expectToolOk<Customer>(viewer, 'customer_get', { id: customer.id });
    expect(masked).toMatchObject({ pii_masked: true, phone: '+***********78' });
    expect(masked.email).toMatch(/^m\*\*\*@example\.com$/);
    expect(masked.addresses[0]).toMatchObject({ line1: '***', postal_code: '1****' });
    const clear = await expectToolOk<Customer>(admin, 'customer_get', { email: customer.email });
    expect(clear).toMatchObject({ id: customer.id, pii_masked: false, phone: '+4915112345678' });
    expect(clear.addresses[0]).toMatchObject({ line1: 'Torstraße 1', postal_code: '10119' });
  });

  it('fails with NOT_FOUND for an unknown id and VALIDATION_FAILED for both id and email', async () => {
    expect((await expectToolError(viewer, 'customer_get', { id: UNKNOWN })).code).toBe('NOT_FOUND');
    expect((await expectToolError(viewer, 'customer_get', { id: UNKNOWN, email: 'a@example.com' })).code).toBe('VALIDATION_FAILED');
    expect((await expectToolError(viewer, 'customer_get', {})).code).toBe('VALIDATION_FAILED');
  });

  it('searches with typos and pages with cursors; a bad cursor is VALIDATION_FAILED', async () => {
    const target = await newCustomer({ first_name: 'Bartholomew', last_name: 'Quackenbush' });
    const page = await expectToolOk<{ items: Array<{ id: string }>; next_cursor: string | null }>(viewer, 'customer_search', {
      query: 'bartholomwe quackenbsuh',
      limit: 1,
    });
    expect(page.items[0]?.id).toBe(target.id);
    const listing = await expectToolOk<{ items: unknown[]; next_cursor: string | null }>(viewer, 'customer_search', { sort: 'created_at_asc', limit: 1 });
    expect(listing.next_cursor).not.toBeNull();
    const next = await expectToolOk<{ items: unknown[] }>(viewer, 'customer_search', { sort: 'created_at_asc', limit: 1, cursor: listing.next_cursor });
    expect(next.items).toHaveLength(1);
    expect(next.items).not.toEqual(listing.items);
    const error = await expectToolError(viewer, 'customer_search', { sort: 'name_asc', limit: 1, cursor: listing.next_cursor });
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'cursor' } });
    expect((await expectToolError(viewer, 'customer_search', { limit: 101 })).code).toBe('VALIDATION_FAILED');
  });
});

describe('customer_update and customer_set_status', () => {
  it('updates with the expected version; a stale version is CONFLICT with current_version and changes nothing', async () => {
    const customer = await newCustomer();
    const updated = await expectToolOk<{ customer: Customer; changed_fields: string[] }>(writer, 'customer_update', {
      id: customer.id,
      expected_version: 1,
      changes: { tier: 'gold', phone: null },
    });
    expect(updated).toMatchObject({ changed_fields: ['phone', 'tier'], customer: { version: 2, phone: null } });
    const before = await snapshotTables(database.db);
    const stale = await expectToolError(writer, 'customer_update', { id: customer.id, expected_version: 1, changes: { tier: 'platinum' } });
    expect(stale).toMatchObject({ code: 'CONFLICT', details: { current_version: 2, expected_version: 1 } });
    expect(await snapshotTables(database.db)).toEqual(before);
    expect((await expectToolError(writer, 'customer_update', { id: UNKNOWN, expected_version: 1, changes: { tier: 'gold' } })).code).toBe('NOT_FOUND');
    expect((await expectToolError(writer, 'customer_update', { id: customer.id, expected_version: 2, changes: {} })).code).toBe('VALIDATION_FAILED');
  });

  it('suspends and reactivates; eligibility follows the status', async () => {
    const customer = await newCustomer();
    const suspended = await expectToolOk<{ previous_status: string; changed: boolean; customer: Customer }>(writer, 'customer_set_status', {
      id: customer.id,
      status: 'suspended',
      reason: 'Chargeback',
    });
    expect(suspended).toMatchObject({ previous_status: 'active', changed: true, customer: { status: 'suspended' } });
    const decision = await expectToolOk<{ eligible: boolean; reasons: Array<{ code: string }> }>(viewer, 'customer_check_eligibility', {
      customer_id: customer.id,
    });
    expect(decision.eligible).toBe(false);
    expect(decision.reasons.map((r) => r.code)).toEqual(['CUSTOMER_SUSPENDED']);
    expect((await expectToolError(writer, 'customer_set_status', { id: customer.id, status: 'anonymized', reason: 'x' })).code).toBe('VALIDATION_FAILED');
    expect((await expectToolError(writer, 'customer_set_status', { id: customer.id, status: 'active', reason: 'ok', expected_version: 1 })).code).toBe(
      'CONFLICT',
    );
    await expectToolOk(writer, 'customer_set_status', { id: customer.id, status: 'active', reason: 'Resolved', expected_version: 2 });
    expect((await expectToolOk<{ eligible: boolean }>(viewer, 'customer_check_eligibility', { customer_id: customer.id })).eligible).toBe(true);
    expect((await expectToolError(viewer, 'customer_check_eligibility', { customer_id: UNKNOWN })).code).toBe('NOT_FOUND');
  });
});

describe('addresses, notes and timeline', () => {
  it('adds and removes addresses; unknown address is NOT_FOUND; the 21st is LIMIT_EXCEEDED', async () => {
    const customer = await newCustomer();
    const added = await expectToolOk<{ address: { id: string; is_default: boolean }; customer_version: number }>(writer, 'customer_add_address', {
      customer_id: customer.id,
      address: { kind: 'shipping', line1: 'Neue Straße 2', city: 'Hamburg', postal_code: '20095', country: 'DE', is_default: true },
      expected_version: 1,
    });
    expect(added).toMatchObject({ customer_version: 2, address: { is_default: true } });
    const removed = await expectToolOk(writer, 'customer_remove_address', { customer_id: customer.id, address_id: added.address.id });
    expect(removed).toEqual({
      customer_id: customer.id,
      removed_address_id: added.address.id,
      new_default_address_id: customer.addresses[0]?.id,
      customer_version: 3,
    });
    expect((await expectToolError(writer, 'customer_remove_address', { customer_id: customer.id, address_id: added.address.id })).code).toBe('NOT_FOUND');

    await database.db
      .insertInto('addresses')
      .values(
        Array.from({ length: 19 }, (_, i) => ({
          id: `adr_${String(i).padStart(26, '0')}`,
          customer_id: customer.id,
          kind: 'billing' as const,
          is_default: false,
          recipient_name: null,
          line1: `Filler ${i}`,
          line2: null,
          city: 'Berlin',
          region: null,
          postal_code: '10115',
          country: 'DE',
        })),
      )
      .execute();
    const limit = await expectToolError(writer, 'customer_add_address', {
      customer_id: customer.id,
      address: { kind: 'billing', line1: 'One more', city: 'Berlin', postal_code: '10115', country: 'DE' },
    });
    expect(limit).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { max: 20, current: 20 } });
  });

  it('adds a note (replayed on retry) and shows it in the timeline', async () => {
    const customer = await newCustomer();
    const key = idempotencyKey();
    const note = await expectToolOk<{ note: { id: string; author: string }; replayed: boolean }>(writer, 'customer_add_note', {
      customer_id: customer.id,
      body: 'Asked for a callback',
      idempotency_key: key,
    });
    expect(note).toMatchObject({ replayed: false, note: { author: 'writer-user' } });
    const retry = await expectToolOk<{ note: { id: string }; replayed: boolean }>(writer, 'customer_add_note', {
      customer_id: customer.id,
      body: 'Asked for a callback',
      idempotency_key: key,
    });
    expect(retry).toMatchObject({ replayed: true, note: { id: note.note.id } });
    const timeline = await expectToolOk<{ items: Array<{ type: string; actor: string }>; next_cursor: string | null }>(viewer, 'customer_timeline', {
      customer_id: customer.id,
      limit: 1,
    });
    expect(timeline.items).toEqual([expect.objectContaining({ type: 'customer.note_added', actor: 'writer-user' })]);
    expect(timeline.next_cursor).not.toBeNull();
    expect((await expectToolError(viewer, 'customer_timeline', { customer_id: UNKNOWN })).code).toBe('NOT_FOUND');
    expect((await expectToolError(writer, 'customer_add_note', { customer_id: UNKNOWN, body: 'x' })).code).toBe('NOT_FOUND');
    expect((await expectToolError(writer, 'customer_add_note', { customer_id: customer.id, body: 'x'.repeat(5001) })).code).toBe('VALIDATION_FAILED');
  });
});

describe('privacy tools', () => {
  it('exports everything as structured content, an embedded resource and a link; needs customer:pii', async () => {
    const customer = await newCustomer();
    await expectToolOk(admin, 'customer_add_note', { customer_id: customer.id, body: 'VIP' });
    const result = await callTool(admin, 'customer_export_data', { customer_id: customer.id });
    expect(result.isError).toBeFalsy();
    const exported = result.structuredContent as { customer: Customer; notes: Array<{ body: string }>; events: Array<{ type: string }> };
    expect(exported.customer).toMatchObject({ id: customer.id, email: customer.email, pii_masked: false });
    expect(exported.notes.map((n) => n.body)).toEqual(['VIP']);
    expect(exported.events.map((e) => e.type)).toEqual(['customer.created', 'customer.address_added', 'customer.note_added']);
    const embedded = result.content.find((c) => c['type'] === 'resource') as { resource: { uri: string; mimeType: string; text: string } };
    expect(embedded.resource).toMatchObject({ uri: `customer://${customer.id}/export`, mimeType: 'application/json' });
    expect(JSON.parse(embedded.resource.text)).toEqual(exported);
    expect(result.content).toContainEqual(expect.objectContaining({ type: 'resource_link', uri: `customer://${customer.id}` }));
    expect((await expectToolError(writer, 'customer_export_data', { customer_id: customer.id })).code).toBe('FORBIDDEN');
    expect((await expectToolError(admin, 'customer_export_data', { customer_id: UNKNOWN })).code).toBe('NOT_FOUND');
  });

  it('anonymizes only after a dry run and with the version; again is PRECONDITION_FAILED', async () => {
    const customer = await newCustomer();
    // A write whose stored idempotent response holds this person's data: erasure must reach it too.
    await expectToolOk(admin, 'customer_add_note', { customer_id: customer.id, body: 'call back', idempotency_key: `note-${customer.id}` });
    const mentions = async () =>
      Number(
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM mcp_idempotency_keys WHERE strpos(response::text, ${customer.id}) > 0`.execute(database.db))
          .rows[0]?.n,
      );
    expect(await mentions()).toBeGreaterThanOrEqual(1);
    expect((await expectToolError(writer, 'customer_anonymize', { customer_id: customer.id })).code).toBe('FORBIDDEN');
    const before = await snapshotTables(database.db);
    const dry = await expectToolOk<{ dry_run: boolean; anonymized: boolean; version: number; erased: Record<string, unknown> }>(admin, 'customer_anonymize', {
      customer_id: customer.id,
    });
    expect(dry).toMatchObject({
      dry_run: true,
      anonymized: false,
      version: 1,
      erased: { fields: ['email', 'first_name', 'last_name', 'phone'], addresses: 1, notes: 1 },
    });
    const afterDry = await snapshotTables(database.db);
    // The dry run's audit row is the only trace it leaves, in the runtime's table, not in the customer tables.
    expect(afterDry).toEqual(before);
    expect((await expectToolError(admin, 'customer_anonymize', { customer_id: customer.id, dry_run: false })).code).toBe('VALIDATION_FAILED');
    expect((await expectToolError(admin, 'customer_anonymize', { customer_id: customer.id, dry_run: false, expected_version: 7 })).code).toBe('CONFLICT');
    const done = await expectToolOk<{ anonymized: boolean; version: number }>(admin, 'customer_anonymize', {
      customer_id: customer.id,
      dry_run: false,
      expected_version: 1,
    });
    expect(done).toMatchObject({ anonymized: true, version: 2 });
    expect(await mentions()).toBe(0);
    const view = await expectToolOk<Customer>(admin, 'customer_get', { id: customer.id });
    expect(view).toMatchObject({ id: customer.id, email: null, phone: null, status: 'anonymized', addresses: [] });
    expect((await expectToolError(admin, 'customer_anonymize', { customer_id: customer.id, dry_run: false, expected_version: 2 })).code).toBe(
      'PRECONDITION_FAILED',
    );
    expect((await expectToolError(writer, 'customer_set_status', { id: customer.id, status: 'active', reason: 'undo' })).code).toBe('PRECONDITION_FAILED');
    expect((await expectToolError(admin, 'customer_anonymize', { customer_id: UNKNOWN })).code).toBe('NOT_FOUND');
  });
});

describe('customer_query_sql', () => {
  it('answers over the analytics views and refuses anything else', async () => {
    await newCustomer({ tier: 'platinum' });
    const result = await expectToolOk<{ columns: unknown[]; rows: unknown[][]; truncated: boolean }>(admin, 'customer_query_sql', {
      sql: "SELECT count(*) AS n FROM analytics_customers WHERE tier = 'platinum'",
    });
    expect(result).toMatchObject({ columns: [{ name: 'n', type: 'bigint' }], truncated: false });
    expect(Number(result.rows[0]?.[0])).toBeGreaterThanOrEqual(1);
    expect(await expectToolError(admin, 'customer_query_sql', { sql: 'SELECT email FROM customers' })).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { reason: 'relation_not_allowed' },
    });
    expect((await expectToolError(writer, 'customer_query_sql', { sql: 'SELECT 1' })).code).toBe('FORBIDDEN');
  });
});

describe('resources and prompts', () => {
  it('reads customer://{id} masked per caller; an unknown id is resource-not-found', async () => {
    const customer = await newCustomer();
    const masked = await viewer.readResource({ uri: `customer://${customer.id}` });
    const content = masked.contents[0] as { mimeType: string; text: string };
    expect(content.mimeType).toBe('application/json');
    expect(JSON.parse(content.text)).toMatchObject({ id: customer.id, pii_masked: true });
    const clear = await admin.readResource({ uri: `customer://${customer.id}` });
    expect(JSON.parse((clear.contents[0] as { text: string }).text)).toMatchObject({ email: customer.email });
    await expect(viewer.readResource({ uri: `customer://${UNKNOWN}` })).rejects.toMatchObject({ code: -32002 });
    await expect(viewer.readResource({ uri: 'customer://nonsense' })).rejects.toMatchObject({ code: -32002 });
  });

  it('serves schema://customer to sql:read callers and lists the customer template', async () => {
    const schema = await admin.readResource({ uri: 'schema://customer' });
    const parsed = JSON.parse((schema.contents[0] as { text: string }).text) as { views: Array<{ name: string }> };
    expect(parsed.views.map((v) => v.name)).toEqual(['analytics_customers', 'analytics_addresses']);
    const templates = await viewer.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toEqual(['customer://{id}']);
  });

  it('preloads prompts with the customer, masked unless customer:pii', async () => {
    const customer = await newCustomer();
    await expectToolOk(admin, 'customer_add_note', { customer_id: customer.id, body: 'Wants a callback on Monday' });
    const brief = await viewer.getPrompt({ name: 'customer_support_brief', arguments: { customer_id: customer.id } });
    const text = (brief.messages[0]?.content as { text: string }).text;
    expect(text).toContain(customer.id);
    expect(text).toContain('Wants a callback on Monday');
    expect(text).not.toContain(customer.email as string);
    const full = await admin.getPrompt({ name: 'customer_churn_analysis', arguments: { customer_id: customer.id } });
    expect((full.messages[0]?.content as { text: string }).text).toContain(customer.email as string);
    await expect(viewer.getPrompt({ name: 'customer_support_brief', arguments: { customer_id: UNKNOWN } })).rejects.toMatchObject({ code: -32002 });
  });

  it('records a write and its audit row together, before the call answers', async () => {
    const created = async () =>
      (
        await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM mcp_audit_log WHERE tool = 'customer_create' AND outcome = 'ok' AND principal_id = 'admin-user'`.execute(database.db)
      ).rows[0]?.n ?? 0;
    const before = await created();
    const customer = await newCustomer();
    // No flush: the buffer of this host is never written during the tests, so only a record committed with the
    // write can be here.
    expect(await created()).toBe(before + 1);
    expect(customer.id).toMatch(/^cus_/);
  });
});
