/**
 * A failure that happened because the caller gave up (its signal aborted: a client that went away, an MCP
 * `notifications/cancelled`, a deadline), not because of the upstream: neither a retry, a circuit breaker nor
 * the per-upstream metrics hold it against the upstream. Thrown inside a policy and turned into what the caller
 * sees with {@link cancellationError} of its `reason` once outside.
 */
export class CallerGoneError extends Error {
  /** The caller's abort reason (`signal.reason`). */
  readonly reason: unknown;

  /**
   * @param reason The caller's abort reason.
   * @param cause What the work failed with once aborted (kept for the log). Default `reason`.
   */
  constructor(reason: unknown, cause: unknown = reason) {
    super('the caller went away', { cause });
    this.name = 'CallerGoneError';
    this.reason = reason;
  }
}
