import { z } from 'zod';
import { cursorSchema, defineTool, limitSchema, nextCursorSchema } from '@mcpfed/contract-common';
import { CUSTOMER_STATUSES, CUSTOMER_TIERS, customerSummarySchema, timestampSchema } from './schemas.ts';

/** Sort orders of customer_search. */
export const CUSTOMER_SEARCH_SORTS = ['relevance', 'created_at_desc', 'created_at_asc', 'name_asc'] as const;

/** Finds customers by fuzzy text over name and email, with filters and keyset pagination. */
export const customerSearch = defineTool({
  name: 'customer_search',
  title: 'Search customers',
  description:
    'Finds customers by fuzzy text over first and last name and, with customer:pii, email ("jonh smiht" ' +
    'finds "John Smith"), optionally filtered by tier, status and created_at range; then customer_get. ' +
    'Sorts: relevance (default with a query), created_at_desc (default without), created_at_asc, ' +
    'name_asc. Returns { items, next_cursor } (email masked without customer:pii; relevance 0-1); keep ' +
    'query, filter and sort with cursor. On failure: VALIDATION_FAILED for a bad or mismatched cursor ' +
    '(start again) or bad filters.',
  guide:
    'Finds customers by a fuzzy text query over first name, last name and, if you hold customer:pii, email ' +
    '(trigram similarity, so typos such as "jonh smiht" still find "John Smith"); without customer:pii the email ' +
    'plays no part in what is found or how it ranks. Optionally filtered by tier, status and a created_at range. ' +
    'Use it when you do not know the customer id; then call customer_get for the full profile. ' +
    'Sort: "relevance" (default when query is given; best match first), "created_at_desc" (default without query), ' +
    '"created_at_asc", "name_asc" (last name, then first name). Returns { items, next_cursor }: up to limit ' +
    'summaries (email masked unless you hold customer:pii; relevance 0-1) and a cursor for the next page ' +
    '(null on the last page). Keep the same query, filter and sort when passing cursor. ' +
    'On failure: VALIDATION_FAILED for a bad or mismatched cursor (start again without cursor) or bad filter values.',
  input: z.strictObject({
    query: z.string().trim().min(1).max(200).optional().describe('Free text matched against names (and email with customer:pii).'),
    filter: z
      .strictObject({
        tier: z.enum(CUSTOMER_TIERS).optional(),
        status: z.enum(CUSTOMER_STATUSES).optional(),
        created_from: timestampSchema.optional().describe('Only customers created at or after this time.'),
        created_to: timestampSchema.optional().describe('Only customers created before this time.'),
      })
      .optional(),
    sort: z.enum(CUSTOMER_SEARCH_SORTS).optional().describe('Default: relevance with a query, else created_at_desc.'),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  }),
  output: z.object({
    items: z.array(customerSummarySchema),
    next_cursor: nextCursorSchema,
  }),
  scopes: ['customer:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
  redact: ['query'],
});
