import { customerRemoveAddress } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, callerOf, customerLink } from './bind.ts';

/** customerRemoveAddress -> CustomerService.removeAddress. */
export const customerRemoveAddressTool = bindTool(customerRemoveAddress, (input, ctx) => new CustomerService(ctx.db, callerOf(ctx)).removeAddress(input), {
  links: (output) => [customerLink(output.customer_id)],
});
