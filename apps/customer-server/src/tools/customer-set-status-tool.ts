import { customerSetStatus } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerSetStatus -> CustomerService.setStatus. */
export const customerSetStatusTool = bindTool(customerSetStatus, (input, ctx) => new CustomerService(ctx.db, ctx).setStatus(input), {
  links: (output) => [customerLink(output.customer.id)],
});
