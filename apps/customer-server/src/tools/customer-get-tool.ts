import { customerGet } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, callerOf, customerLink } from './bind.ts';

/** customerGet -> CustomerService.get. */
export const customerGetTool = bindTool(customerGet, (input, ctx) => new CustomerService(ctx.db, callerOf(ctx)).get(input), {
  links: (output) => [customerLink(output.id)],
});
