import { z } from 'zod';
import { MAX_TOOL_DESCRIPTION_LENGTH, defineTool } from './tool-contract.ts';
import type { ToolContract } from './tool-contract.ts';

/** One column of a relation a `<domain>_query_sql` tool may read. */
export interface SqlViewColumn {
  /** Column name as the view spells it. */
  readonly name: string;
  /** PostgreSQL type name. */
  readonly type: string;
  /** What the column holds, written for a model (units, allowed values, null meaning). */
  readonly description: string;
}

/**
 * A relation a `<domain>_query_sql` tool may read. A domain's list of them is its allow-list as data: the tool's
 * description and the `schema://<domain>` resource are generated from it, and its migrations create exactly these.
 */
export interface SqlView {
  /** Relation name (`analytics_orders`), lower-case. */
  readonly name: string;
  /** What one row is, written for a model. */
  readonly description: string;
  /** Its columns, in order. */
  readonly columns: readonly SqlViewColumn[];
}

/** Most rows one `<domain>_query_sql` call returns (the `limit` maximum). */
export const MAX_QUERY_SQL_ROWS = 1000;

/** Input of every `<domain>_query_sql` tool: one SELECT and a row limit (1-1000, default 100). */
export const querySqlInputSchema = z.strictObject({
  sql: z.string().trim().min(1).max(10_000).describe('One SELECT statement over the views above; no trailing statements.'),
  limit: z.number().int().min(1).max(MAX_QUERY_SQL_ROWS).default(100).describe('Most rows to return. Default 100.'),
});

/** Output of every `<domain>_query_sql` tool: the `runReadOnlyQuery` result shape of `@mcpfed/db`. */
export const querySqlOutputSchema = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string().describe('PostgreSQL type name.') })),
  rows: z.array(z.array(z.unknown())).describe('Each row is an array of values in the order of columns.'),
  row_count: z.number().int().min(0),
  truncated: z.boolean(),
});

/** The contract type of a `<domain>_query_sql` tool. */
export type QuerySqlToolContract = ToolContract<typeof querySqlInputSchema, typeof querySqlOutputSchema>;

/** Options of {@link defineQuerySqlTool}. */
export interface QuerySqlToolOptions {
  /** The domain, lower-case: names the tool `<domain>_query_sql` and its schema resource `schema://<domain>`. */
  domain: string;
  /** The allow-list: the relations the tool may read, named with their columns in the description. */
  views: readonly SqlView[];
  /** What the views are, completing "for analytics over ...", e.g. `views that hold no personal data`. */
  about: string;
  /** One or more sentences on units and how to add amounts. Default: money is integer minor units plus currency. */
  units?: string;
  /**
   * How columns are listed in the description: `names` (names only, the default: the schema resource
   * `schema://<domain>` has their types and meaning, and the listing is paid on every request) or `typed`
   * (`name type`, with each view's description).
   */
  columns?: 'typed' | 'names';
}

const DEFAULT_UNITS = 'Money is integer minor units with its ISO 4217 currency.';

/**
 * Declares a domain's read-only SQL tool (docs/architecture.md §4): name, title, description generated from `views`, the
 * shared input/output schemas, scope `sql:read`, read-only annotations, a 10 s deadline and the `sql` argument
 * redacted from audit records.
 */
export function defineQuerySqlTool(options: QuerySqlToolOptions): QuerySqlToolContract {
  const { domain, views, about } = options;
  const typed = views.map((view) => `${view.name}(${view.columns.map((column) => `${column.name} ${column.type}`).join(', ')}): ${view.description}`).join(' ');
  const named = `${views.map((view) => `${view.name}(${view.columns.map((column) => column.name).join(', ')})`).join('; ')}.`;
  const bare = `the views ${views.map((view) => view.name).join(', ')} (columns in schema://${domain}).`;
  const describe = (viewDocs: string) =>
    `Runs one read-only PostgreSQL SELECT for analytics over ${about}: ${viewDocs} ${options.units ?? DEFAULT_UNITS} ` +
    `Aggregate in SQL; at most limit rows (truncated=true: more). Types: schema://${domain}. ` +
    'Returns { columns, rows, row_count, truncated }; rows are arrays in column order, int8, numeric and timestamps text. ' +
    'On failure: VALIDATION_FAILED when not one SELECT over the views (rewrite it); FORBIDDEN for other relations; ' +
    'TIMEOUT when too slow (filter or aggregate).';
  // The most column detail that fits the description limit; the schema resource always has all of it.
  const candidates = options.columns === 'typed' ? [typed, named, bare] : [named, bare];
  const description = candidates.map(describe).find((text) => text.length <= MAX_TOOL_DESCRIPTION_LENGTH) ?? describe(bare);
  return defineTool({
    name: `${domain}_query_sql`,
    title: `Query ${domain} analytics (SQL)`,
    description,
    // The statement's description carries a runnable example over this domain's first view: a model shown only the
    // schema still has one statement that works.
    input: querySqlInputSchema.extend({
      sql: querySqlInputSchema.shape.sql.describe(`One SELECT over the views above, e.g. "SELECT count(*) AS n FROM ${views[0]?.name ?? 'a_view'}"`),
    }),
    output: querySqlOutputSchema,
    scopes: ['sql:read'],
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    idempotency: 'none',
    redact: ['sql'],
    deadlineMs: 10_000,
  });
}

/** The relation names of `views`, frozen: the allow-list handed to the parser guard and the read-only role. */
export function sqlRelationNames(views: readonly SqlView[]): readonly string[] {
  return Object.freeze(views.map((view) => view.name));
}
