import { loggableError } from '@mcpfed/db';

/**
 * What a span may record of a failure (span exceptions leave the process like log lines): the `loggableError` form
 * as an Error, so a driver message quoting row values never reaches the trace backend.
 */
export function traceableError(error: unknown): unknown {
  const safe = loggableError(error);
  if (safe === error || typeof safe !== 'object' || safe === null) return error;
  const { type, message, stack } = safe as { type?: string; message?: string; stack?: string };
  return Object.assign(new Error(message ?? 'error'), { name: type ?? 'Error', ...(stack === undefined ? {} : { stack }) });
}
