import type { Metrics } from '@mcpfed/telemetry';

/** The part of a BullMQ `Queue` the metrics read. */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

/**
 * Exposes `queue_jobs{queue,state}` (waiting, active, delayed, failed, completed, prioritized), read from Redis
 * when /metrics is scraped — a growing `waiting` or `delayed` is the backlog alert's signal. Returns the
 * function that unregisters it.
 */
export function registerQueueMetrics(metrics: Metrics, queue: CountableQueue): () => void {
  return metrics.gauge('queue_jobs', 'Jobs in a BullMQ queue, by state.', ['queue', 'state'], async (set) => {
    const counts = await queue.getJobCounts(...STATES);
    for (const state of STATES) set({ queue: queue.name, state }, counts[state] ?? 0);
  });
}
