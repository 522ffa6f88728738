import { customerSearch } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerSearch -> CustomerService.search. */
export const customerSearchTool = bindTool(customerSearch, (input, ctx) => new CustomerService(ctx.db, ctx).search(input), {
  links: (output) => output.items.map((item) => customerLink(item.id)),
});
