import { customerUpdate } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, callerOf, customerLink } from './bind.ts';

/** customerUpdate -> CustomerService.update. */
export const customerUpdateTool = bindTool(customerUpdate, (input, ctx) => new CustomerService(ctx.db, callerOf(ctx)).update(input), {
  links: (output) => [customerLink(output.customer.id)],
});
