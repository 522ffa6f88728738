import { z } from 'zod';
import { defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { CUSTOMER_TIERS, MAX_ADDRESSES_PER_CUSTOMER, addressInputSchema, customerSchema, emailSchema, personNameSchema, phoneSchema } from './schemas.ts';

/** Creates a customer, optionally with addresses. */
export const customerCreate = defineTool({
  name: 'customer_create',
  title: 'Create customer',
  description:
    'Creates an active customer, optionally with up to 20 addresses; email must be unique ' +
    '(case-insensitive). With an idempotency_key a retry returns the original result. Returns { customer, ' +
    'replayed } as customer_get shows it. On failure: CONFLICT when the email exists (customer_get by ' +
    'email); VALIDATION_FAILED (names the fields); IDEMPOTENCY_KEY_REUSED.',
  guide:
    'Creates a customer with status "active" and, optionally, up to 20 addresses in the same step. ' +
    'Email must be unique (case-insensitive). Pass an idempotency_key when you may retry: the retry returns the ' +
    'original result with replayed=true instead of failing. Returns { customer, replayed } where customer is the ' +
    'full profile (as customer_get returns it, masked unless you hold customer:pii). ' +
    'On failure: CONFLICT when a customer with this email exists (find it with customer_get by email instead of ' +
    'creating it again); VALIDATION_FAILED for bad fields (the message names them); IDEMPOTENCY_KEY_REUSED when the ' +
    'key was used with different arguments (use a new key).',
  input: z.strictObject({
    email: emailSchema,
    first_name: personNameSchema,
    last_name: personNameSchema,
    phone: phoneSchema.optional(),
    tier: z.enum(CUSTOMER_TIERS).default('standard').describe('Default "standard".'),
    addresses: z.array(addressInputSchema).max(MAX_ADDRESSES_PER_CUSTOMER).optional(),
    idempotency_key: idempotencyKeySchema.optional(),
  }),
  output: z.object({
    customer: customerSchema,
    replayed: replayedSchema,
  }),
  scopes: ['customer:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  idempotency: 'optional',
  redact: ['recipient_name'],
});
