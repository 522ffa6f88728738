import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import type { SqlView } from './sql-views.ts';

/** Maximum rows product_query_sql returns. */
export const MAX_SQL_ROWS = 1000;

/**
 * Builds product_query_sql over an allow-list of relations (the catalog's views plus whatever the inventory
 * part adds), so the description always names exactly what the tool may read.
 */
export function defineProductQuerySql(views: readonly SqlView[]) {
  const viewDocs = views
    .map((view) => `${view.name}(${view.columns.map((column) => `${column.name} ${column.type}`).join(', ')}): ${view.description}`)
    .join(' ');
  return defineTool({
    name: 'product_query_sql',
    title: 'Query product analytics (SQL)',
    description:
      'Runs one read-only PostgreSQL SELECT for analytics over these views of the product database: ' +
      `${viewDocs} Money is integer minor units with its ISO 4217 currency. ` +
      'Aggregate in SQL (GROUP BY, COUNT, SUM) rather than fetching rows. At most limit rows come back (default ' +
      `100, max ${MAX_SQL_ROWS}); truncated=true says there were more. The full schema is the resource schema://product. ` +
      'Returns { columns, rows, row_count, truncated }: rows are arrays in column order; int8, numeric and ' +
      'timestamps come as PostgreSQL text. ' +
      'On failure: VALIDATION_FAILED when the text is not a single SELECT or reads another relation (rewrite it); ' +
      'FORBIDDEN for relations outside the views; TIMEOUT when it runs too long (add filters or aggregate).',
    input: z.strictObject({
      sql: z.string().trim().min(1).max(10_000).describe('One SELECT statement over the views above; no trailing statements.'),
      limit: z.number().int().min(1).max(MAX_SQL_ROWS).default(100).describe(`Maximum rows to return, 1-${MAX_SQL_ROWS}. Default 100.`),
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
}
