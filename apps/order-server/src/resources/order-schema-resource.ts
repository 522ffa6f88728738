import { ORDER_SQL_VIEWS, orderQuerySql, orderSchemaResource } from '@mcpfed/contract-order';
import { resourceBinder } from '@mcpfed/mcp-runtime';
import type { OrderDatabase } from '../store/order-database.ts';

const SCHEMA_JSON = JSON.stringify(
  {
    tool: orderQuerySql.name,
    dialect: 'PostgreSQL',
    rules: 'One SELECT over these views only; read-only; rows capped by the tool limit; amounts are bigint integer minor units of the row currency.',
    views: ORDER_SQL_VIEWS,
  },
  null,
  2,
);

/** `schema://order`: the views order_query_sql may read, from the contract's allow-list. */
export const orderSchemaResourceBinding = resourceBinder<OrderDatabase>()(orderSchemaResource, async (uri) => [
  { uri, mimeType: 'application/json', text: SCHEMA_JSON },
]);
