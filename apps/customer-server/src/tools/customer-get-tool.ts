import { customerGet } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerGet -> CustomerService.get. */
export const customerGetTool = bindTool(customerGet, (input, ctx) => new CustomerService(ctx.db, ctx).get(input), {
  links: (output) => [customerLink(output.id)],
});
