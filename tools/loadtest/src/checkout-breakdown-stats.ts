import type { Redis } from 'ioredis';
import { percentile } from './measure.ts';

/** Prometheus text samples by `name{labels}`. */
export type MetricSamples = Map<string, number>;

/** Reads a server's /metrics (the runtime serves it unauthenticated on every server). */
export async function scrapeMetrics(baseUrl: string): Promise<MetricSamples> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const samples: MetricSamples = new Map();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const space = line.lastIndexOf(' ');
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) samples.set(line.slice(0, space), value);
  }
  return samples;
}

/** after - before of every sample of `after`. */
export function metricsDelta(before: MetricSamples, after: MetricSamples): MetricSamples {
  const delta: MetricSamples = new Map();
  for (const [key, value] of after) delta.set(key, value - (before.get(key) ?? 0));
  return delta;
}

/** Sum of the samples named `name` (any labels). */
export function sumOf(samples: MetricSamples, name: string): number {
  let sum = 0;
  for (const [key, value] of samples) if (key === name || key.startsWith(`${name}{`)) sum += value;
  return sum;
}

/** Process CPU seconds (user + system) from a /metrics delta. */
export function cpuSeconds(samples: MetricSamples): number {
  return sumOf(samples, 'process_cpu_user_seconds_total') + sumOf(samples, 'process_cpu_system_seconds_total');
}

/** Calls and mean duration of a histogram family by one label (e.g. tool), from a /metrics delta. */
export function histogramByLabel(samples: MetricSamples, family: string, label: string): Map<string, { count: number; meanMs: number }> {
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  const pattern = new RegExp(`${label}="([^"]*)"`);
  for (const [key, value] of samples) {
    const which = key.startsWith(`${family}_sum{`) ? sums : key.startsWith(`${family}_count{`) ? counts : undefined;
    if (which === undefined) continue;
    const name = pattern.exec(key)?.[1] ?? '?';
    which.set(name, (which.get(name) ?? 0) + value);
  }
  const out = new Map<string, { count: number; meanMs: number }>();
  for (const [name, count] of counts) if (count > 0) out.set(name, { count, meanMs: ((sums.get(name) ?? 0) / count) * 1000 });
  return out;
}

/** Time each saga job spent queued (added -> active) and running (active -> completed), from BullMQ's event stream. */
export interface QueueTimes {
  jobs: number;
  queuedMs: { mean: number; p50: number; p99: number };
  workingMs: { mean: number; p50: number; p99: number };
  /** Runs (active events) per job: more than one means retries or stalled jobs taken over. */
  runsPerJob: number;
}

/**
 * Reads `<prefix>:<queue>:events` between two times: every event's stream id is its Redis time in milliseconds, so
 * added -> active is time queued and active -> completed time working, without keeping jobs (they are removed on
 * completion).
 */
export async function queueTimes(redis: Redis, eventsKey: string, fromMs: number, toMs: number): Promise<QueueTimes> {
  const entries = (await redis.xrange(eventsKey, String(fromMs), String(toMs))) as Array<[string, string[]]>;
  const added = new Map<string, number>();
  const active = new Map<string, number>();
  const queued: number[] = [];
  const working: number[] = [];
  let runs = 0;
  for (const [id, fields] of entries) {
    const at = Number(id.split('-')[0]);
    const field = (name: string): string | undefined => fields[fields.indexOf(name) + 1];
    const event = field('event');
    const jobId = field('jobId');
    if (jobId === undefined) continue;
    if (event === 'added') added.set(jobId, at);
    else if (event === 'active') {
      runs++;
      if (!active.has(jobId)) {
        active.set(jobId, at);
        const from = added.get(jobId);
        if (from !== undefined) queued.push(at - from);
      }
    } else if (event === 'completed') {
      const from = active.get(jobId);
      if (from !== undefined && added.has(jobId)) working.push(at - from);
    }
  }
  const stats = (values: number[]) => ({
    mean: values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
  });
  return { jobs: working.length, queuedMs: stats(queued), workingMs: stats(working), runsPerJob: active.size === 0 ? 0 : runs / active.size };
}
