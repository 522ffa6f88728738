import { productImport } from '@mcpfed/contract-product';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../product-database.ts';
import { ImportService } from '../import/import-service.ts';
import { ImportTasks } from '../import/import-tasks.ts';
import type { ImportServiceDeps } from '../import/import-service.ts';
import { bindTool, callerOf } from './bind.ts';

/**
 * product_import -> ImportService.start. `transaction: 'none'`: it enqueues on Redis, which must happen after the
 * import row committed and outside any transaction; the service keeps its own idempotency. As an MCP Task the task
 * is the import row (ImportTasks).
 */
export function productImportTool(deps: ImportServiceDeps): ToolBinding<ProductDatabase> {
  return bindTool(productImport, (input, ctx) => new ImportService(ctx.db, callerOf(ctx), deps).start(input), {
    transaction: 'none',
    task: {
      handleOf: (output) => output.import.id,
      get: (id, ctx) => new ImportTasks(ctx.db, callerOf(ctx)).state(id),
      result: (id, ctx) => new ImportTasks(ctx.db, callerOf(ctx)).result(id),
      cancel: (id, ctx) => new ImportTasks(ctx.db, callerOf(ctx)).cancel(id),
      pollIntervalMs: 2000,
    },
  });
}
