import { productImport } from '@mcpfed/contract-product';
import { OWN_TRANSACTIONS } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../store/product-database.ts';
import { ImportService } from '../service/import/import-service.ts';
import { ImportTasks } from '../service/import/import-tasks.ts';
import type { ImportServiceDeps } from '../service/import/import-service.ts';
import { bindTool } from './bind-tool.ts';

/**
 * product_import -> ImportService.start. OWN_TRANSACTIONS: it enqueues on Redis, which must happen after the
 * import row committed and outside any transaction; the service keeps its own idempotency. As an MCP Task the task
 * is the import row (ImportTasks).
 */
export function productImportTool(deps: ImportServiceDeps): ToolBinding<ProductDatabase> {
  return bindTool(productImport, (input, ctx) => new ImportService(ctx.db, deps).start(input, ctx), {
    ...OWN_TRANSACTIONS,
    task: {
      handleOf: (output) => output.import.id,
      get: (id, ctx) => new ImportTasks(ctx.db).state(id, ctx),
      result: (id, ctx) => new ImportTasks(ctx.db).result(id, ctx),
      cancel: (id, ctx) => new ImportTasks(ctx.db).cancel(id, ctx),
      pollIntervalMs: 2000,
    },
  });
}
