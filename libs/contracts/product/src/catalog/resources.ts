import { defineResource } from '@mcpfed/contract-common';

/** One product as JSON (the product_get shape). */
export const productResource = defineResource({
  uri: 'product://{sku}',
  name: 'product',
  title: 'Product',
  description:
    'One product as JSON (the product_get shape): price in integer minor units with currency, status, version, ' + 'stock per location and the last 10 prices.',
  mimeType: 'application/json',
  scopes: ['product:read'],
  completes: ['sku'],
});

/** The categories of the catalog with product counts. */
export const catalogCategoriesResource = defineResource({
  uri: 'catalog://categories',
  name: 'catalog-categories',
  title: 'Catalog categories',
  description:
    'Every category slug of the catalog with its number of active, draft and archived products, as JSON ' +
    '{ categories: [{ category, active, draft, archived }] }. Use a slug as product_search filter.category.',
  mimeType: 'application/json',
  scopes: ['product:read'],
});

/** The relations product_query_sql may read, with their columns, as JSON. */
export const productSchemaResource = defineResource({
  uri: 'schema://product',
  name: 'product-sql-schema',
  title: 'Product analytics SQL schema',
  description: 'The views product_query_sql may read, with column names, PostgreSQL types and meanings, as JSON.',
  mimeType: 'application/json',
  scopes: ['sql:read'],
});
