import { AppError } from '@mcpfed/errors';

/**
 * The AppError a call rejects with when its caller's signal aborted. A deadline from
 * {@link withDeadline} aborts with its own TIMEOUT AppError as the reason, which is passed through so
 * nested policies report the same deadline; any other reason (a client that went away, an MCP
 * `notifications/cancelled`) becomes TIMEOUT with `details.cancelled` — the closed code set has no
 * separate "cancelled" code, and a cancelled call is usually not answered at all.
 */
export function cancellationError(reason: unknown): AppError {
  if (AppError.is(reason)) return reason;
  return new AppError('TIMEOUT', 'the call was cancelled before it finished', {
    details: { cancelled: true },
    cause: reason,
  });
}
