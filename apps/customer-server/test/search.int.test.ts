import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { customerMigrations } from '../migrations/index.ts';
import { CustomerService } from '../src/service/customer-service.ts';
import type { CustomerDatabase } from '../src/store/customer-database.ts';
import { MASKED_CONTEXT, PII_CONTEXT, createCustomer } from './fixtures.ts';

let database: TestDatabase<CustomerDatabase>;
const ids = new Map<string, string>();

const PEOPLE: Array<[string, string, 'standard' | 'silver' | 'gold' | 'platinum']> = [
  ['John', 'Smith', 'gold'],
  ['Jonathan', 'Smith', 'standard'],
  ['Jonah', 'Smith', 'standard'],
  ['Johnny', 'Smith', 'silver'],
  ['Jane', 'Smith', 'standard'],
  ['John', 'Smithson', 'standard'],
  ['Joan', 'Smyth', 'silver'],
  ['John', 'Schmidt', 'gold'],
  ['Mike', 'Jones', 'standard'],
  ['Maria', 'García', 'platinum'],
  ['Sofia', 'Rossi', 'standard'],
];

beforeAll(async () => {
  database = await createTestDatabase<CustomerDatabase>({ name: 'customer', migrations: customerMigrations });
  for (const [first, last, tier] of PEOPLE) {
    const customer = await createCustomer(database.db, {
      first_name: first,
      last_name: last,
      tier,
      email: `${first}.${last}@example.com`.toLowerCase(),
    });
    ids.set(`${first} ${last}`, customer.id);
  }
  // Filler so pagination crosses many pages; created_at is spread to make the keyset order meaningful.
  for (let i = 0; i < 45; i++) {
    await createCustomer(database.db, { first_name: `Filler${i}`, last_name: 'Person', tier: i % 3 === 0 ? 'gold' : 'standard' });
  }
  await database.db
    .updateTable('customers')
    .set((eb) => ({ created_at: eb.val(new Date('2024-01-01T00:00:00.000Z')) }))
    .where('first_name', 'like', 'Filler1%')
    .execute();
});

afterAll(async () => {
  await database?.drop();
});

function service(pii = false) {
  return new CustomerService(database.db, pii ? PII_CONTEXT : MASKED_CONTEXT);
}

describe('customer search', () => {
  it('finds John Smith first for "jonh smiht" (two transposition typos)', async () => {
    const page = await service().search({ query: 'jonh smiht', limit: 5 });
    expect(page.items[0]?.id).toBe(ids.get('John Smith'));
    expect(page.items[0]?.first_name).toBe('John');
    expect(page.items[0]?.relevance).toBeGreaterThan(page.items[1]?.relevance ?? 1);
    const names = page.items.map((item) => `${item.first_name} ${item.last_name}`);
    expect(names).not.toContain('Mike Jones');
    expect(names).not.toContain('Sofia Rossi');
  });

  it('ranks an exact name first and finds a customer by email with customer:pii', async () => {
    const exact = await service().search({ query: 'Jane Smith', limit: 3 });
    expect(exact.items[0]?.id).toBe(ids.get('Jane Smith'));
    expect(exact.items[0]?.relevance).toBe(1);
    const byEmail = await service(true).search({ query: 'maria.garcia@example.com', limit: 3 });
    expect(byEmail.items[0]?.id).toBe(ids.get('Maria García'));
  });

  it('masks emails without customer:pii and shows them with it', async () => {
    const masked = await service(false).search({ query: 'sofia rossi', limit: 1 });
    expect(masked.items[0]).toMatchObject({ email: 's***@example.com', pii_masked: true });
    const clear = await service(true).search({ query: 'sofia rossi', limit: 1 });
    expect(clear.items[0]).toMatchObject({ email: 'sofia.rossi@example.com', pii_masked: false });
  });

  it('filters by tier and status together with the query', async () => {
    const gold = await service().search({ query: 'john smith', filter: { tier: 'gold' }, limit: 20 });
    expect(gold.items.map((i) => i.id).sort()).toEqual([ids.get('John Smith'), ids.get('John Schmidt')].sort());
    const suspended = await service().search({ filter: { status: 'suspended' }, limit: 20 });
    expect(suspended.items).toEqual([]);
    expect(suspended.next_cursor).toBeNull();
  });

  it('filters by created_at range (from inclusive, to exclusive)', async () => {
    const page = await service().search({
      filter: { created_from: '2024-01-01T00:00:00.000Z', created_to: '2024-01-01T00:00:00.001Z' },
      limit: 100,
    });
    expect(page.items.map((i) => i.first_name).sort()).toEqual(['Filler1', ...Array.from({ length: 10 }, (_, i) => `Filler1${i}`)].sort());
    await expect(
      service().search({ filter: { created_from: '2024-02-01T00:00:00.000Z', created_to: '2024-01-01T00:00:00.000Z' }, limit: 5 }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  for (const sort of ['created_at_desc', 'created_at_asc', 'name_asc'] as const) {
    it(`pages through everything by ${sort} without duplicates or gaps`, async () => {
      const all = await database.db.selectFrom('customers').select(['id', 'created_at', 'sort_name']).execute();
      const expected = [...all]
        .sort((a, b) => {
          if (sort === 'name_asc') return a.sort_name < b.sort_name ? -1 : a.sort_name > b.sort_name ? 1 : a.id < b.id ? -1 : 1;
          const byTime = a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1);
          return sort === 'created_at_asc' ? byTime : -byTime;
        })
        .map((row) => row.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await service().search({ sort, limit: 7, ...(cursor === undefined ? {} : { cursor }) });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.next_cursor ?? undefined;
        pages += 1;
      } while (cursor !== undefined);
      expect(pages).toBe(Math.ceil(expected.length / 7));
      expect(seen).toEqual(expected);
    });
  }

  it('pages through relevance results in the same order as one big page', async () => {
    const whole = await service().search({ query: 'smith', limit: 100 });
    expect(whole.items.length).toBeGreaterThan(4);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service().search({ query: 'smith', limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(whole.items.map((i) => i.id));
  });

  it('refuses a cursor from another search or a forged one', async () => {
    const first = await service().search({ query: 'smith', limit: 2 });
    const cursor = first.next_cursor as string;
    await expect(service().search({ query: 'jones', limit: 2, cursor })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(service().search({ query: 'smith', sort: 'name_asc', limit: 2, cursor })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(service().search({ limit: 2, cursor: 'bm90LWpzb24' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
