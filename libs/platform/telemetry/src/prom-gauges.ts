import { AppError } from '@mcpfed/errors';
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { GaugeCollector, SetGauge } from './gauge-collector.ts';
import { registeredMetric } from './registered-metric.ts';

interface GaugeEntry {
  readonly labelNames: readonly string[];
  readonly collectors: Set<GaugeCollector>;
}

interface GaugeState {
  readonly gauges: Map<string, GaugeEntry>;
  /** Gauge collections of the scrapes in progress, awaited by the collect-errors counter. */
  readonly inflight: Set<Promise<void>>;
}

// Kept per registry, so two Metrics sharing one registry share each gauge.
const gaugeStates = new WeakMap<Registry, GaugeState>();

const COLLECT_ERRORS = 'telemetry_gauge_collect_errors_total';

/**
 * The scrape-time gauges of a registry (see {@link Metrics.gauge}) and `telemetry_gauge_collect_errors_total{gauge}`,
 * which counts their collectors that threw, rejected or did not settle within the collect timeout.
 */
export class PromGauges {
  readonly #registry: Registry;
  readonly #collectTimeoutMs: number;
  readonly #collectErrors: Counter<'gauge'>;
  readonly #state: GaugeState;

  /** @param collectTimeoutMs how long a scrape waits for a gauge's async collectors, in milliseconds. */
  constructor(registry: Registry, collectTimeoutMs: number) {
    this.#registry = registry;
    this.#collectTimeoutMs = collectTimeoutMs;
    let state = gaugeStates.get(registry);
    if (state === undefined) {
      state = { gauges: new Map(), inflight: new Set() };
      gaugeStates.set(registry, state);
    }
    this.#state = state;
    const inflight = state.inflight;
    this.#collectErrors =
      registeredMetric(registry, COLLECT_ERRORS, Counter) ??
      new Counter({
        name: COLLECT_ERRORS,
        help: 'Gauge collectors that threw or rejected during a scrape, by gauge name.',
        labelNames: ['gauge'],
        registers: [registry],
        // Read after this scrape's gauges have collected, so a failure shows in the scrape it happened in.
        async collect() {
          await Promise.all(inflight);
        },
      });
  }

  /** See {@link Metrics.gauge}. */
  gauge(name: string, help: string, labelNames: readonly string[], collect: GaugeCollector): () => void {
    let entry = this.#state.gauges.get(name);
    if (entry === undefined) {
      if (this.#registry.getSingleMetric(name) !== undefined) {
        throw new AppError('VALIDATION_FAILED', `metrics.gauge: ${name} is already registered as another metric`, {
          details: { name },
        });
      }
      entry = { labelNames: [...labelNames], collectors: new Set() };
      this.#define(name, help, entry);
      this.#state.gauges.set(name, entry);
      // The registry renders in registration order: keep the collect-errors counter after every gauge.
      this.#registry.removeSingleMetric(COLLECT_ERRORS);
      this.#registry.registerMetric(this.#collectErrors);
    } else if (!sameNames(entry.labelNames, labelNames)) {
      throw new AppError('VALIDATION_FAILED', `metrics.gauge: ${name} is already registered with other label names`, {
        details: { name, labelNames: [...entry.labelNames] },
      });
    }
    const collectors = entry.collectors;
    collectors.add(collect);
    return () => {
      collectors.delete(collect);
    };
  }

  #define(name: string, help: string, entry: GaugeEntry): void {
    const collectErrors = this.#collectErrors;
    const inflight = this.#state.inflight;
    const timeoutMs = this.#collectTimeoutMs;
    new Gauge({
      name,
      help,
      labelNames: [...entry.labelNames],
      registers: [this.#registry],
      collect() {
        // Start each scrape empty so series of removed or failing collectors disappear (reset() alone
        // leaves a label-less gauge at 0, which would read as a real value).
        this.reset();
        if (entry.labelNames.length === 0) this.remove();
        const set: SetGauge = (labels, value) => this.set(labels, value);
        const failed = (): void => collectErrors.labels(name).inc();
        const pending: Promise<void>[] = [];
        for (const collector of entry.collectors) {
          try {
            const result = collector(set);
            if (result !== undefined) pending.push(result.catch(failed));
          } catch {
            failed();
          }
        }
        if (pending.length === 0) return;
        // A collector that never settles (a hung Redis call) must not hold every later scrape.
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            failed();
            resolve();
          }, timeoutMs);
        });
        const done = Promise.race([Promise.all(pending), timedOut]).then(() => {
          clearTimeout(timer);
          inflight.delete(done);
        });
        inflight.add(done);
        return done;
      },
    });
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
