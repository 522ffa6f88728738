import { z } from 'zod';
import { defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { customerIdSchema, noteBodySchema, noteSchema } from './schemas.ts';

/** Adds an internal note to a customer. */
export const customerAddNote = defineTool({
  name: 'customer_add_note',
  title: 'Add customer note',
  description:
    "Adds an internal staff note (plain text) to a customer, e.g. a support contact's outcome; it shows " +
    'in customer_timeline and customer_export_data and leaves the version alone. With an idempotency_key ' +
    'a retry is safe. Returns { customer_id, note, replayed }. On failure: NOT_FOUND for an unknown ' +
    'customer; PRECONDITION_FAILED when anonymized.',
  guide:
    'Adds an internal staff note (1-5000 characters of plain text) to a customer, e.g. the outcome of a support ' +
    'contact. Notes appear in customer_timeline, customer_export_data and the support brief prompt; they do not ' +
    'change the customer version. Pass an idempotency_key when you may retry. Returns { customer_id, note, replayed }. ' +
    'On failure: NOT_FOUND for an unknown customer; PRECONDITION_FAILED when the customer is anonymized.',
  input: z.strictObject({
    customer_id: customerIdSchema,
    body: noteBodySchema,
    idempotency_key: idempotencyKeySchema.optional(),
  }),
  output: z.object({
    customer_id: customerIdSchema,
    note: noteSchema,
    replayed: replayedSchema,
  }),
  scopes: ['customer:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  idempotency: 'optional',
});
