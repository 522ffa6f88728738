import { customerRemoveAddress } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerRemoveAddress -> CustomerService.removeAddress. */
export const customerRemoveAddressTool = bindTool(customerRemoveAddress, (input, ctx) => new CustomerService(ctx.db, ctx).removeAddress(input), {
  links: (output) => [customerLink(output.customer_id)],
});
