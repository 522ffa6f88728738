import { productImportStatus } from '@mcpfed/contract-product';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../product-database.ts';
import { ImportService } from '../import/import-service.ts';
import type { ImportServiceDeps } from '../import/import-service.ts';
import { bindTool, callerOf } from './bind.ts';

/** product_import_status -> ImportService.status. */
export function productImportStatusTool(deps: ImportServiceDeps): ToolBinding<ProductDatabase> {
  return bindTool(productImportStatus, (input, ctx) => new ImportService(ctx.db, callerOf(ctx), deps).status(input));
}
