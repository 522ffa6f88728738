import { customerCreate } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerCreate -> CustomerService.create. */
export const customerCreateTool = bindTool(customerCreate, (input, ctx) => new CustomerService(ctx.db, ctx).create(input), {
  links: (output) => [customerLink(output.customer.id)],
});
