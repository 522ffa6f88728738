import { AppError } from '@mcpfed/errors';

const upstreamFaults = new WeakSet<object>();
const transportFailures = new WeakSet<object>();

/**
 * True for a failure that is the upstream's own: a transport failure ({@link isTransportFailure}) or an HTTP
 * 5xx answer. Only these count against an upstream in the router's circuit breaker: a 4xx is the upstream
 * refusing this request (invalid params, an unknown task, a method it lacks, the caller's token or rate) and
 * proves it is alive; a 202 is it accepting a notification.
 */
export function isUpstreamFault(error: unknown): boolean {
  return typeof error === 'object' && error !== null && upstreamFaults.has(error);
}

/** True for a failure to reach the upstream at all (refused, reset, DNS), as opposed to an HTTP answer. */
export function isTransportFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && transportFailures.has(error);
}

/** Records `error` as the upstream's own fault ({@link isUpstreamFault}); returns it. */
export function markUpstreamFault<E extends object>(error: E): E {
  upstreamFaults.add(error);
  return error;
}

/**
 * The retryable UPSTREAM_UNAVAILABLE for an upstream that could not be reached, an upstream fault and a transport
 * failure. Its message never names the host or port (those stay in `cause`, which is logged, never sent).
 */
export function transportFailure(upstream: string, cause: unknown): AppError {
  const failure = new AppError('UPSTREAM_UNAVAILABLE', `upstream "${upstream}" could not be reached`, { details: { upstream }, cause });
  transportFailures.add(failure);
  return markUpstreamFault(failure);
}
