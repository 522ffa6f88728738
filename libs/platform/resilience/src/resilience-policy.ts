/**
 * The one shape every resilience building block of this library has: run `fn` under a rule.
 * `fn` receives the AbortSignal it must pass on to its I/O, so that a timeout or a caller's
 * cancellation actually stops the work instead of leaving it running in the background.
 */
export interface ResiliencePolicy {
  /**
   * Runs `fn` under this policy.
   * @param fn The work. Pass `signal` on to every I/O call it makes.
   * @param signal The caller's signal; when it aborts, the work's signal aborts too.
   */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
}
