import { parseCommandArgs } from '@mcpfed/config';

/** Options of `npm run bench`. */
export interface BenchOptions {
  /** Measured seconds per scenario and run (--duration, default 10). */
  readonly durationSeconds: number;
  /** Warm-up seconds before each measurement (--warmup, default 3). */
  readonly warmupSeconds: number;
  /** Concurrent connections (--connections, default 32). */
  readonly connections: number;
  /** How often the scenarios are measured, each time in the same order (--runs, default 1). */
  readonly runs: number;
  /** Customers seeded (--seed-count, default 10000). */
  readonly seedCount: number;
  /** Products seeded for product_search (--product-count, default 200000). */
  readonly productCount: number;
  /** Scenario names to run (--scenarios a,b; default all). */
  readonly scenarios: readonly string[] | undefined;
}

/** Usage of `npm run bench`. */
export const BENCH_USAGE = `usage: npm run bench -- [--duration 10] [--warmup 3] [--connections 32] [--runs 1] [--seed-count 10000] [--product-count 200000] [--scenarios baseline,customer_get]

Measures each scenario with autocannon against a server started for it, and reports req/s, p50, p99, errors and the
ratio to the baseline measured in the same run. PostgreSQL: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/postgres; a scratch database is created and dropped). Redis: REDIS_URL (default
redis://127.0.0.1:6379). Exit code 0 when every target is met, 1 when one is missed or a run had errors, 2 on bad arguments.`;

/** The outcome of {@link parseBenchArgs}. */
export type BenchArgs =
  { readonly kind: 'options'; readonly options: BenchOptions } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

/** Parses the arguments of `npm run bench`; never throws. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const parsed = parseCommandArgs(argv, {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    runs: { type: 'string' },
    'seed-count': { type: 'string' },
    'product-count': { type: 'string' },
    scenarios: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('error' in parsed) return { kind: 'error', message: parsed.error };
  const { values } = parsed;
  if (values['help'] === true) return { kind: 'help' };
  const fields = [
    ['duration', 10, 1],
    ['warmup', 3, 0],
    ['connections', 32, 1],
    ['runs', 1, 1],
    ['seed-count', 10_000, 1],
    ['product-count', 200_000, 500],
  ] as const;
  const numbers: Record<string, number> = {};
  for (const [flag, fallback, min] of fields) {
    const raw = values[flag];
    if (raw === undefined) {
      numbers[flag] = fallback;
      continue;
    }
    if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
      return { kind: 'error', message: `--${flag} must be a whole number >= ${min}, got "${String(raw)}"` };
    }
    numbers[flag] = Number(raw);
  }
  const scenarioList = values['scenarios'];
  const scenarios = typeof scenarioList === 'string' ? scenarioList.split(/[\s,]+/).filter((name) => name !== '') : undefined;
  if (scenarios !== undefined && scenarios.length === 0) return { kind: 'error', message: '--scenarios needs at least one name' };
  return {
    kind: 'options',
    options: {
      durationSeconds: numbers['duration'] ?? 10,
      warmupSeconds: numbers['warmup'] ?? 3,
      connections: numbers['connections'] ?? 32,
      runs: numbers['runs'] ?? 1,
      seedCount: numbers['seed-count'] ?? 10_000,
      productCount: numbers['product-count'] ?? 200_000,
      scenarios,
    },
  };
}
