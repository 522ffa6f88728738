import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { PAYMENT_SQL_VIEWS } from './sql-views.ts';

/** Maximum rows payment_query_sql returns. */
export const MAX_PAYMENT_SQL_ROWS = 1000;

const viewDocs = PAYMENT_SQL_VIEWS.map(
  (view) => `${view.name}(${view.columns.map((column) => column.name).join(', ')})`,
).join('; ');

/** Runs one read-only SELECT over the payment domain's analytics views. */
export const paymentQuerySql = defineTool({
  name: 'payment_query_sql',
  title: 'Query payment analytics (SQL)',
  description:
    'Runs one read-only PostgreSQL SELECT for analytics over views without card tokens or secrets: ' +
    `${viewDocs}. Amounts are bigint integer minor units; never add amounts of different currencies (GROUP BY ` +
    'currency). Aggregate in SQL rather than fetching rows. The full schema with column meanings is the resource ' +
    `schema://payment. At most limit rows come back (default 100, max ${MAX_PAYMENT_SQL_ROWS}); truncated=true says ` +
    'there were more. Returns { columns, rows, row_count, truncated }: rows are arrays in column order; bigint, ' +
    'numeric and timestamps come as PostgreSQL text. ' +
    'On failure: VALIDATION_FAILED when the text is not a single SELECT or reads another relation (rewrite it); ' +
    'FORBIDDEN for relations outside the views; TIMEOUT when it runs too long (add filters or aggregate).',
  input: z.strictObject({
    sql: z.string().trim().min(1).max(10_000).describe('One SELECT statement over the views above; no trailing statements.'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(MAX_PAYMENT_SQL_ROWS)
      .default(100)
      .describe(`Maximum rows to return, 1-${MAX_PAYMENT_SQL_ROWS}. Default 100.`),
  }),
  output: z.object({
    columns: z.array(z.object({ name: z.string(), type: z.string().describe('PostgreSQL type name.') })),
    rows: z.array(z.array(z.unknown())).describe('Each row is an array of values in the order of columns.'),
    row_count: z.number().int().min(0),
    truncated: z.boolean(),
  }),
  scopes: ['sql:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
  redact: ['sql'],
  deadlineMs: 10_000,
});
