import { customerAddNote } from '@mcpfed/contract-customer';
import { CustomerService } from '../service/customer-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerAddNote -> CustomerService.addNote. */
export const customerAddNoteTool = bindTool(customerAddNote, (input, ctx) => new CustomerService(ctx.db, ctx).addNote(input), {
  links: (output) => [customerLink(output.customer_id)],
});
