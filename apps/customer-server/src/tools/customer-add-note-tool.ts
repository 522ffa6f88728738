import { customerAddNote } from '@mcpfed/contract-customer';
import { TimelineService } from '../service/timeline-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerAddNote -> TimelineService.addNote. */
export const customerAddNoteTool = bindTool(customerAddNote, (input, ctx) => new TimelineService(ctx.db, ctx).addNote(input), {
  links: (output) => [customerLink(output.customer_id)],
});
