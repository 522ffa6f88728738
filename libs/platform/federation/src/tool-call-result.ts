import { AppError, JSON_RPC } from '@mcpfed/errors';
import { upstreamError } from './upstream-error.ts';

/**
 * The `structuredContent` of an upstream's JSON-RPC response to `tools/call` of `toolName`, or the failure it
 * answered: a tool error result or a JSON-RPC error carrying an mcpfed error payload rejects with that error
 * unchanged ({@link upstreamError}); JSON-RPC -32001 is TIMEOUT; no response at all (the stream ended first: the
 * outcome is unknown, and a retry with the same idempotency key settles it) is UPSTREAM_UNAVAILABLE; anything else
 * that is not a result with structuredContent is INTERNAL.
 */
export function toolCallResult(upstream: string, toolName: string, response: Record<string, unknown> | undefined): Record<string, unknown> {
  if (response === undefined) {
    throw new AppError('UPSTREAM_UNAVAILABLE', `upstream "${upstream}" closed the stream before answering ${toolName}`, { details: { upstream } });
  }
  if ('error' in response) {
    const error = response['error'] as Record<string, unknown> | undefined;
    const fromData = upstreamError(error?.['data'], upstream);
    if (fromData) throw fromData;
    const code = error?.['code'];
    const message = typeof error?.['message'] === 'string' ? error['message'] : 'no message';
    if (code === JSON_RPC.REQUEST_TIMEOUT) throw new AppError('TIMEOUT', `upstream "${upstream}" timed out: ${message}`, { details: { upstream } });
    throw new AppError('INTERNAL', `upstream "${upstream}" answered ${toolName} with JSON-RPC error ${String(code)}: ${message}`, {
      details: { upstream, rpc_code: code },
    });
  }
  const result = response['result'] as Record<string, unknown> | undefined;
  if (typeof result !== 'object' || result === null) {
    throw new AppError('INTERNAL', `upstream "${upstream}" answered ${toolName} without a result`, { details: { upstream } });
  }
  const structured = result['structuredContent'] as Record<string, unknown> | undefined;
  if (result['isError'] === true) {
    const fromResult = upstreamError(structured?.['error'], upstream);
    if (fromResult) throw fromResult;
    throw new AppError('INTERNAL', `upstream "${upstream}" reported a failure of ${toolName} without an error payload`, { details: { upstream } });
  }
  if (typeof structured !== 'object' || structured === null || Array.isArray(structured)) {
    throw new AppError('INTERNAL', `upstream "${upstream}" answered ${toolName} without structuredContent`, { details: { upstream } });
  }
  return structured;
}
