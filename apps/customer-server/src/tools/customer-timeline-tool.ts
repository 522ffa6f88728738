import { customerTimeline } from '@mcpfed/contract-customer';
import { TimelineService } from '../service/timeline-service.ts';
import { bindTool, customerLink } from './bind.ts';

/** customerTimeline -> TimelineService.timeline. */
export const customerTimelineTool = bindTool(customerTimeline, (input, ctx) => new TimelineService(ctx.db, ctx).timeline(input), {
  links: (_output, input) => [customerLink(input.customer_id)],
});
