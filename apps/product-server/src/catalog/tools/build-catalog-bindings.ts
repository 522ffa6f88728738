import type { Kysely } from 'kysely';
import type { SqlPool } from '@mcpfed/db';
import type { PromptBinding, ResourceBinding, ToolBinding } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../store/product-database.ts';
import type { ImportServiceDeps } from '../service/import/import-service.ts';
import { catalogCategoriesResourceBinding } from '../resources/catalog-categories-resource.ts';
import { productResourceBinding } from '../resources/product-resource.ts';
import { productSchemaResourceBinding } from '../resources/product-schema-resource.ts';
import { productArchiveTool } from './product-archive-tool.ts';
import { productCreateTool } from './product-create-tool.ts';
import { productGetTool } from './product-get-tool.ts';
import { productImportStatusTool } from './product-import-status-tool.ts';
import { productImportTool } from './product-import-tool.ts';
import { productLookupTool } from './product-lookup-tool.ts';
import { productQuerySqlTool } from './product-query-sql-tool.ts';
import { productSearchTool } from './product-search-tool.ts';
import { productSetPriceTool } from './product-set-price-tool.ts';
import { productUpdateTool } from './product-update-tool.ts';

/** Collaborators of the catalog bindings (the database itself comes with each call's context). */
export interface CatalogBindingsDeps {
  /** Pool connected as the read-only role `product_sql_reader` (SELECT on the analytics views only). */
  sqlPool: SqlPool;
  /** `statement_timeout` of one product_query_sql statement, in milliseconds. Default 3000. */
  sqlStatementTimeoutMs?: number;
  /** Where imports read from and the queue their jobs go to. */
  imports: ImportServiceDeps;
  /** The search pool: the product database over `searchConnectionString` (planner settings of text search). */
  searchDb: Kysely<ProductDatabase>;
}

/** The catalog part of the product server's MCP surface. */
export interface CatalogBindings {
  tools: ToolBinding<ProductDatabase>[];
  resources: ResourceBinding<ProductDatabase>[];
  prompts: PromptBinding<ProductDatabase>[];
}

/** Binds every catalog contract entry (product_* tools, product://, catalog://categories, schema://product). */
export function buildCatalogBindings(deps: CatalogBindingsDeps): CatalogBindings {
  return {
    tools: [
      productSearchTool(deps.searchDb),
      productGetTool,
      productLookupTool,
      productCreateTool,
      productUpdateTool,
      productArchiveTool,
      productSetPriceTool,
      productImportTool(deps.imports),
      productImportStatusTool(deps.imports),
      productQuerySqlTool({
        sqlPool: deps.sqlPool,
        ...(deps.sqlStatementTimeoutMs === undefined ? {} : { statementTimeoutMs: deps.sqlStatementTimeoutMs }),
      }),
    ],
    resources: [productResourceBinding, catalogCategoriesResourceBinding, productSchemaResourceBinding],
    prompts: [],
  };
}
