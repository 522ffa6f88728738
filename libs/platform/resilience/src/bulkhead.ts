import { bulkhead } from 'cockatiel';
import type { ResiliencePolicy } from './resilience-policy.ts';

/** Settings of a bulkhead (static configuration). */
export interface BulkheadConfig {
  /** Calls allowed to run at the same time (integer >= 1). Required. */
  limit: number;
  /** Calls allowed to wait for a free slot; beyond that a call is rejected at once. Default 0. */
  queue?: number;
}

/**
 * A concurrency limit (cockatiel's bulkhead): at most `limit` calls run at once and `queue` wait;
 * any further call rejects immediately with a BulkheadRejectedError. A queued call whose signal
 * aborts leaves the queue.
 */
export function createBulkhead(options: BulkheadConfig): ResiliencePolicy {
  const queue = options.queue ?? 0;
  if (!Number.isInteger(options.limit) || options.limit < 1) throw new RangeError(`limit must be an integer >= 1, got ${options.limit}`);
  if (!Number.isInteger(queue) || queue < 0) throw new RangeError(`queue must be an integer >= 0, got ${queue}`);
  const policy = bulkhead(options.limit, queue);
  return {
    execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      return policy.execute(({ signal: inner }) => fn(inner), signal);
    },
  };
}
