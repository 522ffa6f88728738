import { z } from 'zod';
import { defineTool, expectedVersionSchema } from '@mcpfed/contract-common';
import { addressIdSchema, customerIdSchema } from './schemas.ts';

/** Deletes one address of a customer. */
export const customerRemoveAddress = defineTool({
  name: 'customer_remove_address',
  title: 'Remove customer address',
  description:
    'Deletes one address of a customer for good (placed orders keep their copy); if it was the default of ' +
    'its kind, the latest remaining one of that kind becomes default. Increments the customer version. ' +
    'Returns { customer_id, removed_address_id, new_default_address_id, customer_version }. On failure: ' +
    'NOT_FOUND when the customer or its address does not exist (customer_get lists them); CONFLICT when ' +
    'expected_version is stale.',
  guide:
    'Deletes one address of a customer for good (orders already placed keep their own copy). When it was the ' +
    'default of its kind, the most recently added remaining address of that kind becomes the default. ' +
    'Increments the customer version. Returns { customer_id, removed_address_id, new_default_address_id, ' +
    'customer_version }. On failure: NOT_FOUND when the customer or the address (of this customer) does not exist ' +
    '(list addresses with customer_get); CONFLICT when expected_version is stale (details.current_version).',
  input: z.strictObject({
    customer_id: customerIdSchema,
    address_id: addressIdSchema,
    expected_version: expectedVersionSchema.optional(),
  }),
  output: z.object({
    customer_id: customerIdSchema,
    removed_address_id: addressIdSchema,
    new_default_address_id: addressIdSchema.nullable().describe('The address that became default in its place, if any.'),
    customer_version: z.number().int().min(1),
  }),
  scopes: ['customer:write'],
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
