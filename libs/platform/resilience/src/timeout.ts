import { TimeoutStrategy, isTaskCancelledError, timeout } from 'cockatiel';
import { AttemptTimeoutError } from './policy-errors.ts';
import type { ResiliencePolicy } from './resilience-policy.ts';

/**
 * A timeout of `ms` milliseconds per execution. It aborts the signal handed to the work (so I/O that
 * received it is cancelled) and, being cockatiel's Aggressive strategy, rejects at once with a
 * TaskCancelledError even when the work ignores its signal — a hung call always returns. The signal
 * is also aborted when the work settles first, releasing anything still listening to it.
 * @param ms Timeout in milliseconds (> 0).
 */
export function createTimeout(ms: number): ResiliencePolicy {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`timeout must be a positive number of milliseconds, got ${ms}`);
  const policy = timeout(ms, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: true });
  return {
    execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      return policy
        .execute(({ signal: inner }) => fn(inner), signal)
        .catch((error: unknown) => {
          // A caller's cancellation also surfaces as TaskCancelledError; only our own expiry is a timeout.
          if (isTaskCancelledError(error) && signal?.aborted !== true) throw new AttemptTimeoutError(ms, error);
          throw error;
        });
    },
  };
}
