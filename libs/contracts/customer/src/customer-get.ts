import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { customerIdSchema, customerSchema, emailSchema } from './schemas.ts';

/** Reads one customer profile by id or by email. */
export const customerGet = defineTool({
  name: 'customer_get',
  title: 'Get customer',
  description:
    'Reads one customer by id or by email (exactly one; email needs customer:pii). Returns the profile ' +
    'with tier, status, version (the expected_version of updates), addresses and order statistics ' +
    '(order_count, lifetime_value, last_order_at). Email, phone, address lines and postal codes are ' +
    'masked without customer:pii (pii_masked). On failure: NOT_FOUND (try customer_search); ' +
    'VALIDATION_FAILED when both or neither of id and email are given; FORBIDDEN for an email lookup ' +
    'without customer:pii.',
  guide:
    'Reads one customer profile by id or by email (give exactly one of the two; email is matched case-insensitively). ' +
    'Returns the profile with tier, status, version (needed as expected_version by update tools), all addresses, and ' +
    'order statistics: order_count, lifetime_value {amount in integer minor units, ISO 4217 currency} and last_order_at ' +
    '(0 / null until the customer has ordered). Email, phone, address lines and postal codes are masked ' +
    '(e.g. "j***@example.com") unless you hold customer:pii; pii_masked tells you. Looking up by email needs ' +
    'customer:pii. ' +
    'On failure: NOT_FOUND when no customer matches (search with customer_search instead); VALIDATION_FAILED when both ' +
    'or neither of id and email are given; FORBIDDEN for an email lookup without customer:pii (use the id or ' +
    'customer_search by name).',
  input: z
    .strictObject({
      id: customerIdSchema.optional(),
      email: emailSchema.optional(),
    })
    .refine((input) => (input.id === undefined) !== (input.email === undefined), {
      message: 'give exactly one of id or email',
    }),
  output: customerSchema,
  scopes: ['customer:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
