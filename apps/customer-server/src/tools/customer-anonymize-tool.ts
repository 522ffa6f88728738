import { customerAnonymize } from '@mcpfed/contract-customer';
import { PrivacyService } from '../service/privacy-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customer_anonymize -> PrivacyService.anonymize. */
export const customerAnonymizeTool = bindTool(customerAnonymize, (input, ctx) => new PrivacyService(ctx.db, ctx).anonymize(input), {
  links: (output) => [customerLink(output.customer_id)],
});
