import { z } from 'zod';
import { defineTool, expectedVersionSchema } from '@mcpfed/contract-common';
import { CUSTOMER_STATUSES, SETTABLE_STATUSES, customerIdSchema, customerSchema, reasonSchema } from './schemas.ts';

/** Activates, suspends or blocks a customer. */
export const customerSetStatus = defineTool({
  name: 'customer_set_status',
  title: 'Set customer status',
  description:
    "Sets a customer's status: active, suspended (may not buy for now) or blocked (may not buy, e.g. " +
    'fraud), with a reason kept in the timeline. expected_version (from customer_get) is optional: give ' +
    'it to fail instead of overwriting a concurrent change. The current status again changes nothing ' +
    '(changed=false). Returns { customer, previous_status, changed }. On failure: NOT_FOUND; CONFLICT ' +
    'when expected_version is stale; PRECONDITION_FAILED when anonymized (final).',
  guide:
    'Sets a customer\'s status to "active", "suspended" (temporarily may not buy, e.g. payment dispute) or ' +
    '"blocked" (may not buy, e.g. fraud), with a reason that is kept on the customer and in the timeline. ' +
    'Only active customers are eligible to order. expected_version is optional: give it to fail instead of ' +
    'overwriting a concurrent change. Setting the current status again changes nothing (changed=false). ' +
    'Returns { customer, previous_status, changed }. ' +
    'On failure: NOT_FOUND for an unknown id; CONFLICT when expected_version is stale (details.current_version); ' +
    'PRECONDITION_FAILED when the customer is anonymized (that status is final).',
  input: z.strictObject({
    id: customerIdSchema,
    status: z.enum(SETTABLE_STATUSES),
    reason: reasonSchema.describe('Why, for the timeline and other staff (1-500 characters).'),
    expected_version: expectedVersionSchema.optional(),
  }),
  output: z.object({
    customer: customerSchema,
    previous_status: z.enum(CUSTOMER_STATUSES),
    changed: z.boolean(),
  }),
  scopes: ['customer:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
  redact: ['reason'],
});
