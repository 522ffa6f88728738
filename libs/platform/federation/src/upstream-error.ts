import { AppError, isErrorCode } from '@mcpfed/errors';

/**
 * The AppError for a failure an upstream reported, in a tool result's `structuredContent.error` or a
 * JSON-RPC error's `data`: code, message, retryable and details exactly as the upstream sent them (no
 * prefixes, so a model reads the same text whichever server it came through). An INTERNAL failure also
 * records the upstream's request id in `details.upstream_request_id` for the log (INTERNAL details never
 * reach a caller). Returns undefined when `payload` is not an mcpfed error payload.
 */
export function upstreamError(payload: unknown, upstream: string): AppError | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  const code = p['code'];
  if (!isErrorCode(code) || typeof p['message'] !== 'string') return undefined;
  const details =
    typeof p['details'] === 'object' && p['details'] !== null && !Array.isArray(p['details']) ? (p['details'] as Record<string, unknown>) : undefined;
  const withRequestId =
    code === 'INTERNAL' ? { ...details, upstream, ...(typeof p['request_id'] === 'string' ? { upstream_request_id: p['request_id'] } : {}) } : details;
  return new AppError(code, p['message'], {
    ...(withRequestId === undefined ? {} : { details: withRequestId }),
    ...(typeof p['retryable'] === 'boolean' ? { retryable: p['retryable'] } : {}),
  });
}
