import { AppError } from '@mcpfed/errors';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

/** The counter `name` of the registry: the one already registered (a second createMetrics on it), else a new one. */
export function registeredCounter<T extends string>(registry: Registry, name: string, help: string, labelNames: T[]): Counter<T> {
  return registeredMetric(registry, name, Counter) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

/**
 * The metric `name` already registered in `registry`, if any: a second createMetrics on a shared registry reuses
 * what the first registered instead of failing.
 *
 * @throws AppError VALIDATION_FAILED when it is registered as another metric type.
 */
export function registeredMetric<M>(registry: Registry, name: string, type: abstract new (...args: never[]) => M): M | undefined {
  const metric: unknown = registry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  if (metric instanceof type) return metric;
  throw new AppError('VALIDATION_FAILED', `createMetrics: ${name} is already registered as another metric type`, {
    details: { name },
  });
}
