import { customerCheckEligibility } from '@mcpfed/contract-customer';
import { AddressService } from '../service/address-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerCheckEligibility -> AddressService.checkEligibility. */
export const customerCheckEligibilityTool = bindTool(customerCheckEligibility, (input, ctx) => new AddressService(ctx.db, ctx).checkEligibility(input), {
  links: (output) => [customerLink(output.customer_id)],
});
