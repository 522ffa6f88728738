import type { Completer, ToolContext } from './types.ts';

/** Values one `completion/complete` answers at most (the MCP limit). */
export const MAX_COMPLETION_VALUES = 100;

/** Longest partial value completed, in characters; a longer one matches no identifier mcpfed issues. */
const MAX_PREFIX = 128;

/** A `completion/complete` result. */
export interface CompletionResult {
  [key: string]: unknown;
  completion: { values: string[]; total?: number; hasMore: boolean };
}

/** The empty completion: nothing to suggest (unknown argument, impossible prefix, nothing the caller may see). */
export const EMPTY_COMPLETION: CompletionResult = Object.freeze({ completion: Object.freeze({ values: [], total: 0, hasMore: false }) }) as CompletionResult;

/**
 * Runs `completer` for the partial `value`: asks one value more than {@link MAX_COMPLETION_VALUES} to learn whether
 * there are more, answers at most that many, and `total` when it is known (all values fit).
 */
export async function completeArgument<DB>(
  completer: Completer<DB> | undefined,
  value: string,
  ctx: ToolContext<DB>,
  context: Readonly<Record<string, string>>,
): Promise<CompletionResult> {
  if (completer === undefined || value.length > MAX_PREFIX) return EMPTY_COMPLETION;
  const found = await completer(value, MAX_COMPLETION_VALUES + 1, ctx, context);
  const values = found.slice(0, MAX_COMPLETION_VALUES);
  const hasMore = found.length > MAX_COMPLETION_VALUES;
  return { completion: { values, ...(hasMore ? {} : { total: values.length }), hasMore } };
}
