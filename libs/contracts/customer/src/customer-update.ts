import { z } from 'zod';
import { defineTool, expectedVersionSchema } from '@mcpfed/contract-common';
import { CUSTOMER_TIERS, customerIdSchema, customerSchema, emailSchema, personNameSchema, phoneSchema } from './schemas.ts';

/** The profile fields customer_update may change. */
export const CUSTOMER_UPDATABLE_FIELDS = ['email', 'first_name', 'last_name', 'phone', 'tier'] as const;

/** Changes profile fields of a customer under optimistic concurrency. */
export const customerUpdate = defineTool({
  name: 'customer_update',
  title: 'Update customer',
  description:
    'Changes email, first_name, last_name, phone (null removes it) or tier: only the fields in changes, ' +
    'plus expected_version (from customer_get). Status: customer_set_status; addresses: ' +
    'customer_add_address / customer_remove_address. Returns { customer, changed_fields } with the new ' +
    'version (without customer:pii, a given email or phone always counts as changed). On failure: ' +
    'CONFLICT when the customer changed since you read it (read again, re-apply) or the email is another ' +
    "customer's; NOT_FOUND; PRECONDITION_FAILED when anonymized.",
  guide:
    'Changes profile fields of a customer: email, first_name, last_name, phone (null removes it) and tier. ' +
    'Give only the fields to change, in changes, plus expected_version (the version you read with customer_get). ' +
    'Use customer_set_status for status and customer_add_address / customer_remove_address for addresses. ' +
    'Returns { customer, changed_fields } with the new version; fields whose value is unchanged are not listed ' +
    '(without customer:pii, email and phone count as changed whenever given: you cannot see them, so you cannot ' +
    'learn them by guessing). ' +
    'On failure: CONFLICT when the customer changed since you read it (details.current_version; read it again, ' +
    're-apply and retry) or when the new email belongs to another customer; NOT_FOUND for an unknown id; ' +
    'PRECONDITION_FAILED when the customer is anonymized.',
  input: z.strictObject({
    id: customerIdSchema,
    expected_version: expectedVersionSchema,
    changes: z
      .strictObject({
        email: emailSchema.optional(),
        first_name: personNameSchema.optional(),
        last_name: personNameSchema.optional(),
        phone: phoneSchema.nullable().optional().describe('E.164 phone, or null to remove it.'),
        tier: z.enum(CUSTOMER_TIERS).optional(),
      })
      .refine((changes) => Object.values(changes).some((value) => value !== undefined), {
        message: 'give at least one field to change',
      }),
  }),
  output: z.object({
    customer: customerSchema,
    changed_fields: z.array(z.enum(CUSTOMER_UPDATABLE_FIELDS)),
  }),
  scopes: ['customer:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
