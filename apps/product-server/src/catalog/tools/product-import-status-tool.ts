import { productImportStatus } from '@mcpfed/contract-product';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../store/product-database.ts';
import { ImportService } from '../service/import/import-service.ts';
import type { ImportServiceDeps } from '../service/import/import-service.ts';
import { bindTool } from './bind-tool.ts';

/** product_import_status -> ImportService.status. */
export function productImportStatusTool(deps: ImportServiceDeps): ToolBinding<ProductDatabase> {
  return bindTool(productImportStatus, (input, ctx) => new ImportService(ctx.db, deps).status(input, ctx));
}
