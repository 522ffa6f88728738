import { customerTimeline } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerTimeline -> CustomerService.timeline. */
export const customerTimelineTool = bindTool(customerTimeline, (input, ctx) => new CustomerService(ctx.db, ctx).timeline(input), {
  links: (_output, input) => [customerLink(input.customer_id)],
});
