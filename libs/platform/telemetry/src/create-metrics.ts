import { optionSchemas, parseOptions } from '@mcpfed/errors';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { z } from 'zod';
import type { Metrics } from './metrics.ts';
import { PromMetrics } from './prom-metrics.ts';

/** Options of {@link createMetrics}. */
export interface MetricsConfig {
  /** Value of the `service` label on every metric (e.g. `customer-server`). */
  readonly service: string;
  /**
   * Registry to register into. Default: a new one, so several servers or tests in one process never
   * collide (the global prom-client registry is never used). Its default labels are set to `{ service }`.
   */
  readonly registry?: Registry;
  /** Also collect prom-client's default process and Node.js runtime metrics. Default: true. */
  readonly collectDefault?: boolean;
  /**
   * Most distinct `tool` label values kept; further tool names are counted as `_other` so a client
   * calling made-up tool names cannot grow the series without bound. Default: 500.
   */
  readonly maxTools?: number;
  /**
   * How long a scrape waits for a gauge's async collectors before counting a failure and rendering
   * without them, in milliseconds. Keep it below Prometheus' scrape timeout. Default: 3000.
   */
  readonly collectTimeoutMs?: number;
}

const DEFAULT_MAX_TOOLS = 500;
const DEFAULT_COLLECT_TIMEOUT_MS = 3000;

const metricsOptions = z.object({
  service: optionSchemas.nonEmptyString(),
  registry: z.custom<Registry>().optional(),
  collectDefault: z.boolean().default(true),
  maxTools: optionSchemas.positiveInteger(DEFAULT_MAX_TOOLS),
  collectTimeoutMs: optionSchemas.positiveInteger(DEFAULT_COLLECT_TIMEOUT_MS),
});

/**
 * Creates the metrics of one service on its own prom-client registry with default labels `{ service }`.
 * Calling it twice on one shared registry reuses the already registered metrics.
 *
 * @throws AppError VALIDATION_FAILED for an empty `service`, or a `maxTools` or `collectTimeoutMs` below 1.
 */
export function createMetrics(options: MetricsConfig): Metrics {
  const { service, maxTools, collectTimeoutMs, collectDefault, ...given } = parseOptions('createMetrics', metricsOptions, options);
  const registry = given.registry ?? new Registry();
  registry.setDefaultLabels({ service });
  if (collectDefault && registry.getSingleMetric('process_cpu_user_seconds_total') === undefined) {
    collectDefaultMetrics({ register: registry });
  }
  return new PromMetrics(registry, maxTools, collectTimeoutMs);
}
