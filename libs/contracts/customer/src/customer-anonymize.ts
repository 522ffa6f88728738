import { z } from 'zod';
import { defineTool, expectedVersionSchema } from '@mcpfed/contract-common';
import { customerIdSchema, reasonSchema, timestampSchema } from './schemas.ts';

/** Erases a customer's personal data (GDPR Art. 17), keeping the id and non-personal facts. */
export const customerAnonymize = defineTool({
  name: 'customer_anonymize',
  title: 'Anonymize customer (erase personal data)',
  description:
    "Erases a customer's personal data (GDPR Art. 17): email, names, phone, addresses, note texts, " +
    'free-text reasons; keeps id, tier, created_at, order statistics and event types. Status becomes ' +
    'anonymized for good: no undo. dry_run defaults to TRUE: call without it first to see what would be ' +
    'erased, confirm with the user, then call with dry_run=false and expected_version = the version the ' +
    'dry run returned. Returns { customer_id, dry_run, anonymized, erased, kept, version, anonymized_at ' +
    '}. On failure: NOT_FOUND; PRECONDITION_FAILED when already anonymized; CONFLICT when ' +
    'expected_version is stale; VALIDATION_FAILED when dry_run=false lacks expected_version.',
  guide:
    "Erases a customer's personal data for a right-to-erasure request (GDPR Art. 17): email, first and last " +
    'name, phone, status reason, every address, the text of every note and free-text reasons in the timeline. ' +
    'Keeps the customer id, tier, created_at, order statistics and event types, so orders and payments of other ' +
    'servers that reference the id stay valid. Status becomes "anonymized" for good; this cannot be undone. ' +
    'dry_run defaults to TRUE: first call without it to get exactly what would be erased (erased counts, ' +
    'nothing changes), confirm with the user, then call again with dry_run=false and expected_version (the version ' +
    'from the dry run). Returns { customer_id, dry_run, anonymized, erased, kept, version, anonymized_at }. ' +
    'On failure: NOT_FOUND for an unknown id; PRECONDITION_FAILED when already anonymized; CONFLICT when ' +
    'expected_version is stale (details.current_version: review again); VALIDATION_FAILED when dry_run=false lacks ' +
    'expected_version.',
  input: z
    .strictObject({
      customer_id: customerIdSchema,
      dry_run: z.boolean().default(true).describe('Default TRUE: report what would be erased without erasing. Set false to erase.'),
      expected_version: expectedVersionSchema.optional().describe('Required when dry_run is false: the version the dry run reported.'),
      reason: reasonSchema.optional().describe('Why, e.g. the erasure request reference (kept in the timeline; do not put personal data here).'),
    })
    .refine((input) => input.dry_run || input.expected_version !== undefined, {
      message: 'expected_version is required when dry_run is false',
      path: ['expected_version'],
    }),
  output: z.object({
    customer_id: customerIdSchema,
    dry_run: z.boolean(),
    anonymized: z.boolean().describe('True only when the data was erased by this call.'),
    erased: z.object({
      fields: z.array(z.string()).describe('Profile fields that held a value and are (or would be) erased.'),
      addresses: z.number().int().min(0).describe('Addresses deleted.'),
      notes: z.number().int().min(0).describe('Notes whose text is erased.'),
      event_reasons: z.number().int().min(0).describe('Timeline events whose free-text reason is erased.'),
    }),
    kept: z.array(z.string()).describe('What stays: non-personal facts other servers may reference.'),
    version: z.number().int().min(1).describe('The current version (after erasure when anonymized).'),
    anonymized_at: timestampSchema.nullable(),
  }),
  scopes: ['customer:write', 'admin'],
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  idempotency: 'none',
  redact: ['reason'],
  deadlineMs: 15_000,
});
