import { AppError } from '@mcpfed/errors';
import type { ErrorCode } from '@mcpfed/errors';
import { markUpstreamFault } from './upstream-fault.ts';

/** Characters of an unexpected answer kept in the error's cause, for the log. */
const MAX_LOGGED_BODY = 500;

/**
 * The one mapping of an upstream's HTTP status (an answer that is not an MCP response) to the error its caller
 * sees, shared by the federation client and the router:
 * - 401 -> `UNAUTHENTICATED`, 403 -> `FORBIDDEN`: the upstream refused the token or the request's origin;
 * - 429 -> `RATE_LIMITED` (retryable), with `details.retry_after_ms` from `Retry-After` when sent;
 * - 408, 504 -> `TIMEOUT` (retryable);
 * - 400, 413, 415, 422 -> `VALIDATION_FAILED`, 404 -> `NOT_FOUND`, 409 -> `CONFLICT`: the upstream refused this request;
 * - other 5xx -> `UPSTREAM_UNAVAILABLE` (retryable, `retry_after_ms` from `Retry-After` when sent);
 * - anything else (another 4xx, a 202 or 3xx where a response was due) -> `INTERNAL`: a misconfiguration or a bug
 *   that neither the caller nor a retry can fix.
 * Only a 5xx is an upstream fault ({@link isUpstreamFault}); a 4xx proves the upstream is alive. Details carry
 * `{ upstream, status }`; the message quotes the upstream's JSON-RPC error message when the body has one.
 */
export function upstreamStatusError(
  upstream: string,
  status: number,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: string,
): AppError {
  const quoted = rpcErrorMessage(body);
  const said = quoted === '' ? '' : `: ${quoted}`;
  const retryAfterMs = retryAfter(headers['retry-after']);
  const details = { upstream, status, ...(retryAfterMs === undefined ? {} : { retry_after_ms: retryAfterMs }) };
  const cause = new Error(`HTTP ${status}: ${body.slice(0, MAX_LOGGED_BODY)}`);
  const error = (code: ErrorCode, message: string) => new AppError(code, message, { details, cause });
  if (status >= 500) {
    if (status === 504) return markUpstreamFault(error('TIMEOUT', `upstream "${upstream}" timed out (HTTP 504)`));
    return markUpstreamFault(error('UPSTREAM_UNAVAILABLE', `upstream "${upstream}" answered HTTP ${status}`));
  }
  switch (status) {
    case 401:
      return error('UNAUTHENTICATED', `upstream "${upstream}" refused the token${said}`);
    case 403:
      return error('FORBIDDEN', `upstream "${upstream}" refused the request${said}`);
    case 429:
      return error('RATE_LIMITED', `upstream "${upstream}" is rate limiting; retry later`);
    case 408:
      return error('TIMEOUT', `upstream "${upstream}" timed out waiting for the request (HTTP 408)`);
    case 400:
    case 413:
    case 415:
    case 422:
      return error('VALIDATION_FAILED', `upstream "${upstream}" refused the request as invalid${said}`);
    case 404:
      return error('NOT_FOUND', `upstream "${upstream}" has no such method or endpoint${said}`);
    case 409:
      return error('CONFLICT', `upstream "${upstream}" refused the request as conflicting${said}`);
    default:
      return error('INTERNAL', `upstream "${upstream}" answered HTTP ${status} instead of a response`);
  }
}

function rpcErrorMessage(body: string): string {
  if (!body.trimStart().startsWith('{')) return '';
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : '';
  } catch {
    return '';
  }
}

/** `Retry-After` (RFC 9110 §10.2.3: delay in seconds, or an HTTP date) in milliseconds from now. */
function retryAfter(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
