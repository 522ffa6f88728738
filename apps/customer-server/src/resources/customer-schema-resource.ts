import { CUSTOMER_SQL_VIEWS, customerQuerySql, customerSchemaResource } from '@mcpfed/contract-customer';
import { resourceBinder } from '@mcpfed/mcp-runtime';
import type { CustomerDatabase } from '../store/customer-database.ts';

const SCHEMA_JSON = JSON.stringify(
  {
    tool: customerQuerySql.name,
    dialect: 'PostgreSQL',
    rules: 'One SELECT over these views only; read-only; rows capped by the tool limit; money in integer minor units.',
    views: CUSTOMER_SQL_VIEWS,
  },
  null,
  2,
);

/** `schema://customer`: the views customer_query_sql may read, from the contract's allow-list. */
export const customerSchemaResourceBinding = resourceBinder<CustomerDatabase>()(customerSchemaResource, async (uri) => [
  { uri, mimeType: 'application/json', text: SCHEMA_JSON },
]);
