import { customerExportData } from '@mcpfed/contract-customer';
import { PrivacyService } from '../service/privacy-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customer_export_data -> PrivacyService.exportData; the export is also attached as an embedded resource. */
export const customerExportDataTool = bindTool(customerExportData, (input, ctx) => new PrivacyService(ctx.db, ctx).exportData(input), {
  links: (output) => [customerLink(output.customer_id)],
  content: (output) => [
    {
      type: 'resource',
      resource: { uri: `customer://${output.customer_id}/export`, mimeType: 'application/json', text: JSON.stringify(output, null, 2) },
    },
  ],
});
