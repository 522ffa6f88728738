import { PRODUCT_SQL_VIEWS, productQuerySql, productSchemaResource } from '@mcpfed/contract-product';
import { resourceBinder } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../store/product-database.ts';

const SCHEMA_JSON = JSON.stringify(
  {
    tool: productQuerySql.name,
    dialect: 'PostgreSQL',
    rules: 'One SELECT over these views only; read-only; rows capped by the tool limit; money in integer minor units.',
    views: PRODUCT_SQL_VIEWS,
  },
  null,
  2,
);

/** `schema://product`: the views product_query_sql may read, from the contract's allow-list. */
export const productSchemaResourceBinding = resourceBinder<ProductDatabase>()(productSchemaResource, async (uri) => [
  { uri, mimeType: 'application/json', text: SCHEMA_JSON },
]);
