import { describe, expect, it } from 'vitest';
import { catalogTools, productImport, productLookup, productQuerySql, productSearch, productUpdate } from './index.ts';
import { productCreate } from './product-create.ts';

describe('catalog contract', () => {
  it('lists every product_ tool once', () => {
    const names = catalogTools.map((tool) => tool.name);
    expect(names).toEqual([
      'product_search',
      'product_get',
      'product_lookup',
      'product_create',
      'product_update',
      'product_archive',
      'product_set_price',
      'product_import',
      'product_import_status',
      'product_query_sql',
    ]);
  });

  it('defaults search to 20 items, no facets, active products', () => {
    expect(productSearch.input.parse({})).toEqual({ limit: 20, facets: false });
    expect(productSearch.input.parse({ filter: {} }).filter).toEqual({ status: 'active' });
    expect(productSearch.input.safeParse({ filter: { category: 'Head Phones' } }).success).toBe(false);
  });

  it('takes 1-100 SKUs in a lookup', () => {
    const skus = (n: number) => Array.from({ length: n }, (_, index) => `SKU-${index}`);
    expect(productLookup.input.safeParse({ skus: skus(100) }).success).toBe(true);
    expect(productLookup.input.safeParse({ skus: skus(101) }).success).toBe(false);
    expect(productLookup.input.safeParse({ skus: [] }).success).toBe(false);
    expect(productLookup.input.safeParse({ skus: ['lower-case'] }).success).toBe(false);
  });

  it('validates prices, attributes and updates', () => {
    const base = { sku: 'HP-1', name: 'Headphones', category: 'headphones', price: { amount: 4999, currency: 'EUR' } };
    expect(productCreate.input.parse(base).status).toBe('active');
    expect(productCreate.input.safeParse({ ...base, price: { amount: 49.99, currency: 'EUR' } }).success).toBe(false);
    expect(productCreate.input.safeParse({ ...base, attributes: { Color: 'red' } }).success).toBe(false);
    expect(productCreate.input.safeParse({ ...base, status: 'archived' }).success).toBe(false);
    expect(productUpdate.input.safeParse({ sku: 'HP-1', expected_version: 1, changes: {} }).success).toBe(false);
    expect(productUpdate.input.safeParse({ sku: 'HP-1', expected_version: 1, changes: { description: null } }).success).toBe(true);
  });

  it('needs exactly one import source and an idempotency key', () => {
    const key = 'import-key-1';
    expect(productImport.input.safeParse({ source: { path: 'a.jsonl' }, format: 'jsonl', idempotency_key: key }).success).toBe(true);
    expect(productImport.input.safeParse({ source: { path: 'a.jsonl', url: 'https://x.test/a' }, format: 'jsonl', idempotency_key: key }).success).toBe(false);
    expect(productImport.input.safeParse({ source: { path: 'a.jsonl' }, format: 'xml', idempotency_key: key }).success).toBe(false);
    expect(productImport.input.safeParse({ source: { path: 'a.jsonl' }, format: 'jsonl' }).success).toBe(false);
  });

  it('describes the SQL views in product_query_sql', () => {
    // Typed columns do not fit the description limit: names only, types in the schema://product resource.
    expect(productQuerySql.description).toContain('analytics_products(sku, name');
    expect(productQuerySql.description).toContain('schema://product');
    expect(productQuerySql.description.length).toBeLessThanOrEqual(1024);
    expect(productQuerySql.input.parse({ sql: 'select 1' }).limit).toBe(100);
  });
});
