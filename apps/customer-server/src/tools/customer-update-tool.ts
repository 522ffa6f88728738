import { customerUpdate } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerUpdate -> CustomerService.update. */
export const customerUpdateTool = bindTool(customerUpdate, (input, ctx) => new CustomerService(ctx.db, ctx).update(input), {
  links: (output) => [customerLink(output.customer.id)],
});
