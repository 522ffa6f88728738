import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { customerIdSchema, customerSchema, noteSchema, timelineEventSchema, timestampSchema } from './schemas.ts';

/** Exports everything held about a person (GDPR Art. 15 / 20). */
export const customerExportData = defineTool({
  name: 'customer_export_data',
  title: 'Export customer data',
  description:
    'Exports everything this server holds about one person, unmasked, for a data-subject access or portability ' +
    'request (GDPR Art. 15/20): the profile, all addresses, all notes, the whole timeline and the order statistics. ' +
    'Needs customer:read and customer:pii. Returns { customer_id, exported_at, customer, notes, events }; the same ' +
    'JSON is attached as an embedded resource (customer://{id}/export, application/json) to hand over as a file. ' +
    'Orders and payments are held by the order and payment servers: export them there. ' +
    'On failure: NOT_FOUND for an unknown customer id; FORBIDDEN without customer:pii.',
  input: z.strictObject({
    customer_id: customerIdSchema,
  }),
  output: z.object({
    customer_id: customerIdSchema,
    exported_at: timestampSchema,
    customer: customerSchema,
    notes: z.array(noteSchema),
    events: z.array(timelineEventSchema).describe('The whole timeline, oldest first.'),
  }),
  scopes: ['customer:read', 'customer:pii'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
  deadlineMs: 15_000,
});
