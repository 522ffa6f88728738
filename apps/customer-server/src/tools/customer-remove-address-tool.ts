import { customerRemoveAddress } from '@mcpfed/contract-customer';
import { AddressService } from '../service/address-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerRemoveAddress -> AddressService.removeAddress. */
export const customerRemoveAddressTool = bindTool(customerRemoveAddress, (input, ctx) => new AddressService(ctx.db, ctx).removeAddress(input), {
  links: (output) => [customerLink(output.customer_id)],
});
