import { z } from 'zod';
import { defineTool, expectedVersionSchema, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { addressInputSchema, addressSchema, customerIdSchema } from './schemas.ts';

/** Adds an address to a customer. */
export const customerAddAddress = defineTool({
  name: 'customer_add_address',
  title: 'Add customer address',
  description:
    'Adds a shipping or billing address to a customer (at most 20); the first of a kind, or one with ' +
    'is_default=true, becomes its default. Country is ISO 3166-1 alpha-2 ("GB", not "UK"). Increments the ' +
    'customer version. Returns { customer_id, address, customer_version, replayed } (masked without ' +
    'customer:pii). On failure: NOT_FOUND; CONFLICT when expected_version is stale; LIMIT_EXCEEDED at 20 ' +
    'addresses; PRECONDITION_FAILED when anonymized.',
  guide:
    'Adds a shipping or billing address to a customer (at most 20 per customer). The first address of a kind ' +
    'becomes its default; is_default=true makes the new one the default of its kind. Country is an ISO 3166-1 ' +
    'alpha-2 code ("GB", not "UK"). Increments the customer version. Pass an idempotency_key when you may retry. ' +
    'Returns { customer_id, address, customer_version, replayed } (address lines masked unless you hold customer:pii). ' +
    'On failure: NOT_FOUND for an unknown customer; CONFLICT when expected_version is stale (details.current_version); ' +
    'LIMIT_EXCEEDED at 20 addresses (remove one first); PRECONDITION_FAILED when the customer is anonymized.',
  input: z.strictObject({
    customer_id: customerIdSchema,
    address: addressInputSchema,
    expected_version: expectedVersionSchema.optional(),
    idempotency_key: idempotencyKeySchema.optional(),
  }),
  output: z.object({
    customer_id: customerIdSchema,
    address: addressSchema,
    customer_version: z.number().int().min(1),
    replayed: replayedSchema,
  }),
  scopes: ['customer:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  idempotency: 'optional',
  redact: ['recipient_name'],
});
