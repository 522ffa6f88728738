import { z } from 'zod';
import { cursorSchema, defineTool, nextCursorSchema } from '@mcpfed/contract-common';
import { customerIdSchema, customerSchema, noteSchema, timelineEventSchema, timestampSchema } from './schemas.ts';

/** Most notes and events one customer_export_data page holds, together. */
export const EXPORT_PAGE_MAX_ITEMS = 500;
/** About the most bytes of notes and events (as JSON) one customer_export_data page holds; a page has at least one item. */
export const EXPORT_PAGE_MAX_BYTES = 512 * 1024;

/** Exports everything held about a person (GDPR Art. 15 / 20). */
export const customerExportData = defineTool({
  name: 'customer_export_data',
  title: 'Export customer data',
  description:
    'Exports everything this server holds about a person, unmasked, for a GDPR Art. 15/20 request: ' +
    'profile, addresses, notes, timeline, order statistics (needs customer:pii), also as the embedded ' +
    'resource customer://{id}/export. At most 500 notes and events per call: while next_cursor is not ' +
    'null call again with cursor=next_cursor. Orders and payments: their own servers. On failure: ' +
    'NOT_FOUND; FORBIDDEN without customer:pii; VALIDATION_FAILED for a foreign or damaged cursor (start ' +
    'again).',
  guide:
    'Exports everything this server holds about one person, unmasked, for a data-subject access or portability ' +
    'request (GDPR Art. 15/20): the profile, all addresses, all notes, the whole timeline and the order statistics. ' +
    'Needs customer:read and customer:pii. Returns { customer_id, exported_at, customer, notes, events, next_cursor }; ' +
    'the same JSON is attached as an embedded resource (customer://{id}/export, application/json) to hand over as a ' +
    `file. One call returns at most ${EXPORT_PAGE_MAX_ITEMS} notes and events together (and about ` +
    `${EXPORT_PAGE_MAX_BYTES / 1024} KiB of them): notes first, then events, each oldest first. While next_cursor ` +
    'is not null the export goes on: call again with the same customer_id and cursor=next_cursor until it is null. ' +
    'The pages together hold every note and event that existed at exported_at (the time of the first page, the ' +
    "same on every page), each exactly once; the profile on every page is read at that page's time. " +
    'Orders and payments are held by the order and payment servers: export them there. ' +
    'On failure: NOT_FOUND for an unknown customer id; FORBIDDEN without customer:pii; VALIDATION_FAILED for a ' +
    'cursor of another customer or a damaged one (start again without cursor).',
  input: z.strictObject({
    customer_id: customerIdSchema,
    cursor: cursorSchema.optional().describe('next_cursor of the previous page of this export.'),
  }),
  output: z.object({
    customer_id: customerIdSchema,
    exported_at: timestampSchema,
    customer: customerSchema,
    notes: z.array(noteSchema).describe("This page's notes, oldest first."),
    events: z.array(timelineEventSchema).describe("This page's timeline events, oldest first (after the last note)."),
    next_cursor: nextCursorSchema.describe('Pass as cursor to get the rest of the export; null on its last page.'),
  }),
  scopes: ['customer:read', 'customer:pii'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
  deadlineMs: 15_000,
});
