import { z } from 'zod';

/*
 * The router's lazy view (`/mcp/x/lazy`) as data: its three meta-tools and their arguments. Kept here, beside the
 * toolsets, so the router serves and the catalog report measures the same definitions.
 */

/** Meta-tool of the router's lazy view: finds tools by words. */
export const SEARCH_TOOL = 'tools_search';
/** Meta-tool of the router's lazy view: one tool's full definition. */
export const DESCRIBE_TOOL = 'tools_describe';
/** Meta-tool of the router's lazy view: calls one tool. */
export const CALL_TOOL = 'tools_call';

/** Arguments of {@link SEARCH_TOOL}. */
export const lazySearchInput = z.strictObject({
  query: z.string().min(1).max(200).describe('Words to look for in tool names, titles and descriptions, e.g. "refund order".'),
  limit: z.number().int().min(1).max(50).default(10).describe('Most tools to return, 1-50. Default 10.'),
});
/** Arguments of {@link DESCRIBE_TOOL}. */
export const lazyDescribeInput = z.strictObject({ name: z.string().min(1).max(64).describe('A tool name from tools_search, e.g. "order_get".') });
/** Arguments of {@link CALL_TOOL}. */
export const lazyCallInput = z.strictObject({
  name: z.string().min(1).max(64).describe('The tool to call, e.g. "order_get".'),
  arguments: z.record(z.string(), z.unknown()).default({}).describe("The tool's arguments, as its inputSchema (tools_describe) says."),
});

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

/**
 * The lazy view's tools/list (`/mcp/x/lazy`): three meta-tools instead of the catalog, for clients without tool
 * search. They cost a few hundred tokens whatever the catalog's size; a model finds a tool by words, reads its
 * schema, then calls it. tools_call has no output schema: it answers exactly what the tool answers.
 */
export const LAZY_TOOL_DEFINITIONS: ReadonlyArray<Record<string, unknown>> = Object.freeze([
  {
    name: SEARCH_TOOL,
    title: 'Search tools',
    description:
      'Finds the tools you may use by words (matched against names, titles and descriptions). Returns { items: [{ name, title, summary, read_only }] }, best match first; empty when nothing matches (try other words). Then call tools_describe for the one you need. On failure: VALIDATION_FAILED for a bad query.',
    inputSchema: toInputSchema(lazySearchInput),
    annotations: { title: 'Search tools', ...READ_ONLY },
  },
  {
    name: DESCRIBE_TOOL,
    title: 'Describe a tool',
    description:
      "Returns one tool's full definition as tools/list would list it: description, inputSchema, outputSchema, annotations. Read it before tools_call. On failure: VALIDATION_FAILED for an unknown name, FORBIDDEN when your token's scopes or this view do not allow the tool (do not retry as is).",
    inputSchema: toInputSchema(lazyDescribeInput),
    annotations: { title: 'Describe a tool', ...READ_ONLY },
  },
  {
    name: CALL_TOOL,
    title: 'Call a tool',
    description:
      "Calls one tool with its arguments and returns exactly its result (structuredContent as its outputSchema says), checked, audited and rate-limited as a direct call. On failure: the tool's own errors (structuredContent.error with code, message, retryable); FORBIDDEN when your scopes or this view do not allow it; an unknown name is a protocol error.",
    inputSchema: toInputSchema(lazyCallInput),
    annotations: { title: 'Call a tool', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  },
]);

function toInputSchema(schema: z.ZodObject): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input' });
  return json;
}
