import { defineResource } from '@mcpfed/contract-common';

/** One customer as JSON (the customer_get shape), masked unless the reader holds customer:pii. */
export const customerResource = defineResource({
  uri: 'customer://{id}',
  name: 'customer',
  title: 'Customer',
  description:
    'One customer profile as JSON (the customer_get shape): tier, status, version, addresses and order statistics. ' +
    'Email, phone and address lines are masked unless you hold customer:pii.',
  mimeType: 'application/json',
  scopes: ['customer:read'],
  completes: ['id'],
});

/** The analytics views customer_query_sql may read, with their columns, as JSON. */
export const customerSchemaResource = defineResource({
  uri: 'schema://customer',
  name: 'customer-sql-schema',
  title: 'Customer analytics SQL schema',
  description: 'The views customer_query_sql may read, with column names, PostgreSQL types and meanings, as JSON.',
  mimeType: 'application/json',
  scopes: ['sql:read'],
});
