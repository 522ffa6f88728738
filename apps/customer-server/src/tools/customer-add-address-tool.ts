import { customerAddAddress } from '@mcpfed/contract-customer';
import { AddressService } from '../service/address-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerAddAddress -> AddressService.addAddress. */
export const customerAddAddressTool = bindTool(customerAddAddress, (input, ctx) => new AddressService(ctx.db, ctx).addAddress(input), {
  links: (output) => [customerLink(output.customer_id)],
});
