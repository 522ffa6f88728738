import { z } from 'zod';
import { definePrompt } from '@mcpfed/contract-common';
import { customerIdSchema } from './schemas.ts';

/** Asks the model to assess a customer's churn risk from their profile, order statistics and timeline. */
export const customerChurnAnalysis = definePrompt({
  name: 'customer_churn_analysis',
  title: 'Customer churn analysis',
  description:
    "Preloads one customer's profile, order statistics and recent timeline and asks for a churn-risk assessment " +
    'with concrete retention actions. Personal data is masked unless you hold customer:pii.',
  args: z.strictObject({ customer_id: customerIdSchema }),
  scopes: ['customer:read'],
  completes: ['customer_id'],
});

/** Asks the model to brief a support agent about a customer before a contact. */
export const customerSupportBrief = definePrompt({
  name: 'customer_support_brief',
  title: 'Customer support brief',
  description:
    "Preloads one customer's profile, addresses, notes and recent timeline and asks for a short brief for a " +
    'support agent: who this is, current standing, open issues, what to watch out for. Personal data is masked ' +
    'unless you hold customer:pii.',
  args: z.strictObject({ customer_id: customerIdSchema }),
  scopes: ['customer:read'],
  completes: ['customer_id'],
});
