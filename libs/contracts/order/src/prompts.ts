import { z } from 'zod';
import { definePrompt } from '@mcpfed/contract-common';
import { orderIdSchema } from './schemas.ts';

/** Asks the model to triage a support request about one order. */
export const orderSupportTriage = definePrompt({
  name: 'order_support_triage',
  title: 'Order support triage',
  description:
    'Preloads one order, its history and its checkout workflow, and asks for a diagnosis (what happened, what is ' +
    'held or charged) and the next action (wait, retry the workflow, cancel, refund) with the exact tool calls.',
  args: z.strictObject({ order_id: orderIdSchema }),
  scopes: ['order:read'],
  completes: ['order_id'],
});
