import { productImport } from '@mcpfed/contract-product';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../product-database.ts';
import { ImportService } from '../import/import-service.ts';
import type { ImportServiceDeps } from '../import/import-service.ts';
import { bindTool, callerOf } from './bind.ts';

/**
 * product_import -> ImportService.start. `transaction: 'none'`: it enqueues on Redis, which must happen after the
 * import row committed and outside any transaction; the service keeps its own idempotency.
 */
export function productImportTool(deps: ImportServiceDeps): ToolBinding<ProductDatabase> {
  return bindTool(productImport, (input, ctx) => new ImportService(ctx.db, callerOf(ctx), deps).start(input), { transaction: 'none' });
}
