import type { Kysely } from 'kysely';
import type { SqlPool } from '@mcpfed/db';
import type { PromptBinding, ResourceBinding, ToolBinding } from '@mcpfed/mcp-runtime';
import { buildCatalogBindings } from './catalog/index.ts';
import type { ImportServiceDeps } from './catalog/index.ts';
import { buildInventoryBindings } from './inventory/index.ts';
import type { InventoryBindingsDeps } from './inventory/index.ts';
import type { ProductDatabase } from './store/product-database.ts';

/** Collaborators of the product server's bindings (the domain database itself comes with each call's context). */
export interface ProductServerDeps {
  /** Pool connected as the read-only role `product_sql_reader` (SELECT on the analytics views only). */
  sqlPool: SqlPool;
  /** `statement_timeout` of one product_query_sql statement, in milliseconds. Default 3000. */
  sqlStatementTimeoutMs?: number;
  /** Where catalog imports read from and the queue their jobs go to. */
  imports: ImportServiceDeps;
  /** The search pool (`searchConnectionString` of the product database) product_search runs on. */
  searchDb: Kysely<ProductDatabase>;
  /** The inventory part's collaborators (the reservation expiry scheduler). */
  inventory?: InventoryBindingsDeps;
}

/** The product server's MCP surface: catalog and inventory, every contract entry bound to its handler. */
export interface ProductServer {
  tools: ToolBinding<ProductDatabase>[];
  resources: ResourceBinding<ProductDatabase>[];
  prompts: PromptBinding<ProductDatabase>[];
}

/** Builds the bindings; main.ts hosts them and the tests drive them through a real SDK client. */
export function buildProductServer(deps: ProductServerDeps): ProductServer {
  const catalog = buildCatalogBindings({
    sqlPool: deps.sqlPool,
    ...(deps.sqlStatementTimeoutMs === undefined ? {} : { sqlStatementTimeoutMs: deps.sqlStatementTimeoutMs }),
    imports: deps.imports,
    searchDb: deps.searchDb,
  });
  const inventory = buildInventoryBindings<ProductDatabase>(deps.inventory ?? {});
  return {
    tools: [...catalog.tools, ...inventory.tools],
    resources: [...catalog.resources, ...inventory.resources],
    prompts: [...catalog.prompts, ...inventory.prompts],
  };
}
