import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_PAGE_MAX_BYTES, EXPORT_PAGE_MAX_ITEMS } from '@mcpfed/contract-customer';
import { expectToolError, expectToolOk } from '@mcpfed/testing';
import { startCustomerTestHost } from './customer-test-host.ts';
import type { CustomerTestHost } from './customer-test-host.ts';
import { testEmail } from './fixtures.ts';

// Issue 11.13: customer_export_data loaded every note and event of a customer into one answer. It now pages
// within a row and byte budget, and the pages together are the whole export, each row exactly once.

let testHost: CustomerTestHost;
let exporter: Client;

interface ExportPage {
  customer_id: string;
  exported_at: string;
  customer: { id: string; email: string | null };
  notes: Array<{ id: string; body: string | null }>;
  events: Array<{ id: string; occurred_at: string }>;
  next_cursor: string | null;
}

const NOTES = 620;
const EVENTS = 1500;
let seeded = 0;

async function busyCustomer(): Promise<string> {
  const created = await expectToolOk<{ customer: { id: string } }>(exporter, 'customer_create', {
    email: testEmail('export'),
    first_name: 'Paige',
    last_name: 'Turner',
  });
  const id = created.customer.id;
  const db = testHost.database.db;
  const batch = String(++seeded);
  // Every third row shares its timestamp with the next ones, so the order within a time depends on the id alone.
  // Every fourth note is 4,800 characters long (about 740 KiB of notes in all): pages end by size too.
  await sql`
    INSERT INTO customer_notes (id, customer_id, body, author, created_at)
    SELECT 'note_' || lpad(${batch} || lpad(i::text, 6, '0'), 26, '0'), ${id}, CASE WHEN i % 4 = 0 THEN repeat('n', 4800) ELSE 'note ' || i END, 'test:seed',
           timestamptz '2025-01-01T00:00:00Z' + (i / 3) * interval '1 second'
      FROM generate_series(1, ${NOTES}) AS i`.execute(db);
  await sql`
    INSERT INTO customer_events (id, customer_id, type, actor, data, occurred_at)
    SELECT 'evt_' || lpad(${batch} || lpad(i::text, 6, '0'), 26, '0'), ${id}, 'customer.note_added', 'test:seed', jsonb_build_object('n', i, 'pad', repeat('e', 300)),
           timestamptz '2025-01-01T00:00:00Z' + (i / 3) * interval '1 second'
      FROM generate_series(1, ${EVENTS}) AS i`.execute(db);
  return id;
}

async function exportAll(customerId: string, onPage?: (page: ExportPage, index: number) => Promise<void>): Promise<ExportPage[]> {
  const pages: ExportPage[] = [];
  let cursor: string | null | undefined;
  do {
    const page: ExportPage = await expectToolOk<ExportPage>(exporter, 'customer_export_data', { customer_id: customerId, ...(cursor ? { cursor } : {}) });
    pages.push(page);
    await onPage?.(page, pages.length - 1);
    cursor = page.next_cursor;
  } while (cursor !== null && pages.length < 100);
  return pages;
}

beforeAll(async () => {
  testHost = await startCustomerTestHost({ label: 'customer-export-test' });
  exporter = await testHost.connect(['customer:read', 'customer:write', 'customer:pii'], 'dpo');
});

afterAll(async () => {
  await testHost?.close();
});

describe('customer_export_data', () => {
  it('pages a long history within the row and byte budget, and the pages hold every note and event once, in order', async () => {
    const id = await busyCustomer();
    const expectedNotes = (
      await testHost.database.db.selectFrom('customer_notes').select('id').where('customer_id', '=', id).orderBy('created_at').orderBy('id').execute()
    ).map((row) => row.id);
    const expectedEvents = (
      await testHost.database.db.selectFrom('customer_events').select('id').where('customer_id', '=', id).orderBy('occurred_at').orderBy('id').execute()
    ).map((row) => row.id);
    expect(expectedEvents.length).toBe(EVENTS + 1);

    const pages = await exportAll(id);
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil((NOTES + EVENTS + 1) / EXPORT_PAGE_MAX_ITEMS));
    for (const page of pages) {
      expect(page.notes.length + page.events.length).toBeLessThanOrEqual(EXPORT_PAGE_MAX_ITEMS);
      expect(JSON.stringify([...page.notes, ...page.events]).length).toBeLessThanOrEqual(EXPORT_PAGE_MAX_BYTES + 4096);
      expect(page).toMatchObject({ customer_id: id, exported_at: pages[0]?.exported_at, customer: { id, email: expect.stringMatching(/^export\./) } });
    }
    // Some page ended by size rather than by count: the byte budget is real.
    expect(pages.slice(0, -1).some((page) => page.notes.length + page.events.length < EXPORT_PAGE_MAX_ITEMS)).toBe(true);
    expect(pages.flatMap((page) => page.notes.map((note) => note.id))).toEqual(expectedNotes);
    expect(pages.flatMap((page) => page.events.map((event) => event.id))).toEqual(expectedEvents);
    expect(pages.at(-1)?.next_cursor).toBeNull();
  });

  it("keeps to the first page's time: what happens while it pages belongs to the next export", async () => {
    const id = await busyCustomer();
    const pages = await exportAll(id, async (_page, index) => {
      if (index === 0) await expectToolOk(exporter, 'customer_add_note', { customer_id: id, body: 'added while exporting' });
    });
    const bodies = pages.flatMap((page) => page.notes.map((note) => note.body));
    expect(bodies).toHaveLength(NOTES);
    expect(bodies).not.toContain('added while exporting');
    expect(pages.flatMap((page) => page.events)).toHaveLength(EVENTS + 1);
    const again = await exportAll(id);
    expect(again.flatMap((page) => page.notes.map((note) => note.body))).toContain('added while exporting');
  });

  it('refuses a cursor of another customer or a damaged one', async () => {
    const first = await busyCustomer();
    const other = await expectToolOk<{ customer: { id: string } }>(exporter, 'customer_create', {
      email: testEmail('other'),
      first_name: 'Otto',
      last_name: 'Other',
    });
    const page = await expectToolOk<ExportPage>(exporter, 'customer_export_data', { customer_id: first });
    expect(page.next_cursor).not.toBeNull();
    for (const cursor of [page.next_cursor, 'bm90LWEtY3Vyc29y']) {
      const error = await expectToolError(exporter, 'customer_export_data', { customer_id: other.customer.id, cursor });
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'cursor' } });
    }
  });
});
