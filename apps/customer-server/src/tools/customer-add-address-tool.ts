import { customerAddAddress } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerAddAddress -> CustomerService.addAddress. */
export const customerAddAddressTool = bindTool(customerAddAddress, (input, ctx) => new CustomerService(ctx.db, ctx).addAddress(input), {
  links: (output) => [customerLink(output.customer_id)],
});
