import autocannon from 'autocannon';
import type { PreparedScenario } from './scenarios/scenario.ts';

/** How long and how hard to load a target. */
export interface LoadSettings {
  /** Concurrent connections (default in the CLI: 32). */
  readonly connections: number;
  /** Measured seconds (default in the CLI: 10). */
  readonly durationSeconds: number;
  /** Unmeasured seconds before, same load (default in the CLI: 3). */
  readonly warmupSeconds: number;
  /** CPU seconds the target's processes have used so far (RunningTarget.cpuSeconds); read around the measured period. */
  readonly cpuSeconds?: (() => number | undefined) | undefined;
}

/** The result of loading one target once. */
export interface Measurement {
  /** Mean completed requests per second. */
  readonly requestsPerSecond: number;
  /** Median latency (milliseconds). */
  readonly p50Ms: number;
  /** 95th percentile latency of every response (milliseconds). */
  readonly p95Ms: number;
  /** 99th percentile latency (milliseconds). */
  readonly p99Ms: number;
  /** Responses received. */
  readonly responses: number;
  /** Responses with a status outside 2xx. */
  readonly non2xx: number;
  /** 2xx responses that were a JSON-RPC error, a tool error, or lacked the expected content. */
  readonly invalid: number;
  /** Connection errors and timeouts. */
  readonly transport: number;
  /** A few distinct examples of what went wrong (truncated). */
  readonly samples: readonly string[];
  /**
   * CPU milliseconds the target's processes used per response in the measured period; undefined when the target
   * cannot say. Less sensitive to a busy machine than req/s: compare it between builds.
   */
  readonly cpuMsPerRequest?: number | undefined;
}

/** Total errors of a measurement; any error makes the measurement invalid. */
export function errorCount(measurement: Measurement): number {
  return measurement.non2xx + measurement.invalid + measurement.transport;
}

interface Counters {
  responses: number;
  /** Latency of each response (milliseconds): autocannon's own percentiles stop at p90 and p97.5. */
  latencies: number[];
  non2xx: number;
  invalid: number;
  samples: Set<string>;
}

const MAX_SAMPLES = 3;
const JSON_RPC_ERROR = /"error":\{"code":-?\d/;

/** Checks one response; returns what is wrong with it, or undefined when it is a correct result. */
export function checkResponse(status: number, body: string, expect: string): string | undefined {
  if (status < 200 || status > 299) return `HTTP ${status}: ${body.slice(0, 300)}`;
  if (JSON_RPC_ERROR.test(body)) return `JSON-RPC error: ${body.slice(0, 300)}`;
  if (body.includes('"isError":true')) return `tool error: ${body.slice(0, 300)}`;
  if (!body.includes(expect)) return `unexpected result (missing ${expect}): ${body.slice(0, 300)}`;
  return undefined;
}

/** Loads `url` with the scenario's requests: a warm-up, then the measured period. */
export async function measure(url: string, scenario: PreparedScenario, settings: LoadSettings): Promise<Measurement> {
  if (settings.warmupSeconds > 0) await load(url, scenario, settings.connections, settings.warmupSeconds, newCounters());
  const counters = newCounters();
  const cpuBefore = settings.cpuSeconds?.();
  const result = await load(url, scenario, settings.connections, settings.durationSeconds, counters);
  const cpuAfter = settings.cpuSeconds?.();
  return {
    cpuMsPerRequest:
      cpuBefore === undefined || cpuAfter === undefined || counters.responses === 0 ? undefined : ((cpuAfter - cpuBefore) * 1000) / counters.responses,
    requestsPerSecond: result.requests.average,
    // autocannon's own p50 is whole milliseconds; the router's added latency is a fraction of one.
    p50Ms: percentile(counters.latencies, 50),
    p95Ms: percentile(counters.latencies, 95),
    p99Ms: result.latency.p99,
    responses: counters.responses,
    non2xx: counters.non2xx,
    invalid: counters.invalid,
    transport: result.errors + result.timeouts,
    samples: [...counters.samples],
  };
}

function newCounters(): Counters {
  return { responses: 0, latencies: [], non2xx: 0, invalid: 0, samples: new Set() };
}

/** The p-th percentile (nearest rank) of a list of numbers; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function load(url: string, scenario: PreparedScenario, connections: number, durationSeconds: number, counters: Counters): Promise<autocannon.Result> {
  const requests = scenario.requests;
  if (requests.length === 0) throw new Error('a scenario needs at least one request');
  // One cursor for all connections, so together they cycle over every seeded row.
  let next = 0;
  const run = autocannon({
    url,
    connections,
    duration: durationSeconds,
    pipelining: 1,
    timeout: 10,
    method: 'POST',
    headers: { ...scenario.headers },
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          const chosen = requests[next++ % requests.length] ?? requests[0];
          (context as { expect?: string }).expect = chosen?.expect;
          return { ...request, body: chosen?.body };
        },
        onResponse: (status, body, context) => {
          counters.responses++;
          const problem = checkResponse(status, body, (context as { expect?: string }).expect ?? '');
          if (problem === undefined) return;
          if (status < 200 || status > 299) counters.non2xx++;
          else counters.invalid++;
          if (counters.samples.size < MAX_SAMPLES) counters.samples.add(problem);
        },
      },
    ],
  });
  (run as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    counters.latencies.push(ms);
  });
  return run;
}
