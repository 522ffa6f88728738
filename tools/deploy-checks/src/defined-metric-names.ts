import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './repo-root.ts';

// The ways the code registers a metric: `metrics.gauge('name', …)`, `new Counter|Gauge|Histogram|Summary({ name:
// 'name', … })`, and the telemetry library's own `registeredCounter(registry, 'name', …)` /
// `durationHistogram(registry, 'name', …)` (and the older `counter`/`existing` helpers).
const DEFINITIONS = [
  /\.gauge\(\s*'([a-z_:][a-z0-9_:]*)'/g,
  /new (?:Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*'([a-z_:][a-z0-9_:]*)'/g,
  /\b(?:counter|existing|registeredCounter|durationHistogram)\(\s*registry,\s*'([a-z_:][a-z0-9_:]*)'/g,
  /const [A-Z_]+ = '([a-z_]+_total)';/g,
];

// prom-client's default metrics (collectDefaultMetrics), read from the installed package: `name: 'x'` or a
// NAME constant in its lib/metrics files.
const PROM_CLIENT_DEFAULTS = [/\bname:\s*'([a-z_]+)'/g, /const [A-Z0-9_]+ = '((?:process|nodejs)_[a-z0-9_]+)';/g, /namePrefix \+ '([a-z_]+)'/g];

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !file.includes(`${path.sep}node_modules${path.sep}`) && !file.includes(`${path.sep}test${path.sep}`));
}

function collect(text: string, patterns: readonly RegExp[], into: Set<string>): void {
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) if (match[1] !== undefined) into.add(match[1]);
}

let catalog: Promise<ReadonlySet<string>> | undefined;

/** Series Prometheus itself adds to every scrape target. */
const PROMETHEUS_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'];

/**
 * Every metric name the production code of apps/ and libs/ registers, plus prom-client's default process and
 * Node.js metrics (with `process_`/`nodejs_` names) and the series Prometheus adds (`up`, …). A histogram `x` also yields `x_bucket`, `x_sum`, `x_count`;
 * a summary `x_sum`, `x_count`; so those suffixes are accepted through {@link isDefinedMetric}.
 */
export function definedMetricNames(): Promise<ReadonlySet<string>> {
  // Several checks ask; the sources are read once per process.
  catalog ??= collectDefinedMetricNames();
  return catalog;
}

async function collectDefinedMetricNames(): Promise<ReadonlySet<string>> {
  const names = new Set<string>(PROMETHEUS_SERIES);
  for (const root of ['apps', 'libs']) {
    for (const file of await sourceFiles(path.join(REPO_ROOT, root))) collect(await readFile(file, 'utf8'), DEFINITIONS, names);
  }
  const defaults = path.join(REPO_ROOT, 'node_modules', 'prom-client', 'lib', 'metrics');
  for (const file of await readdir(defaults)) {
    if (file.endsWith('.js')) collect(await readFile(path.join(defaults, file), 'utf8'), PROM_CLIENT_DEFAULTS, names);
  }
  return names;
}

/** Whether `name` is a defined metric or a histogram/summary series of one (`_bucket`, `_sum`, `_count`). */
export function isDefinedMetric(name: string, defined: ReadonlySet<string>): boolean {
  if (defined.has(name)) return true;
  const base = /^(.*)_(?:bucket|sum|count)$/.exec(name)?.[1];
  return base !== undefined && defined.has(base);
}
