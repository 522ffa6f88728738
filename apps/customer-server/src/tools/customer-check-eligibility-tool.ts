import { customerCheckEligibility } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerCheckEligibility -> CustomerService.checkEligibility. */
export const customerCheckEligibilityTool = bindTool(customerCheckEligibility, (input, ctx) => new CustomerService(ctx.db, ctx).checkEligibility(input), {
  links: (output) => [customerLink(output.customer_id)],
});
