import type { Metrics } from './metrics.ts';

/** What pool metrics read from a connection pool: the counters pg's `Pool` exposes. */
export interface PoolStats {
  /** Connections open, idle or checked out. */
  readonly totalCount: number;
  /** Open connections not checked out. */
  readonly idleCount: number;
  /** Callers queued for a connection. */
  readonly waitingCount: number;
}

/**
 * Publishes `db_pool_connections{pool,state}` (state `total`, `idle` or `waiting`) for `pool`, read
 * from the object at every scrape (no timers). Register each pool under its own `name`. Returns a
 * function that stops publishing it (call it when the pool is closed).
 */
export function registerPoolMetrics(metrics: Metrics, name: string, pool: PoolStats): () => void {
  const total = { pool: name, state: 'total' };
  const idle = { pool: name, state: 'idle' };
  const waiting = { pool: name, state: 'waiting' };
  return metrics.gauge(
    'db_pool_connections',
    'Connections of a database pool by state (total, idle, waiting), read at scrape time.',
    ['pool', 'state'],
    (set) => {
      set(total, pool.totalCount);
      set(idle, pool.idleCount);
      set(waiting, pool.waitingCount);
    },
  );
}
