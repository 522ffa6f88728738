import { describe, expect, it } from 'vitest';
import type { Measurement } from './measure.ts';
import { addedP50Of, median, ratioOf, renderSpread, renderTable, verdicts } from './report.ts';
import type { RunResult } from './report.ts';
import type { Scenario } from './scenarios/scenario.ts';

const base: Scenario = { name: 'baseline', description: '', prepare: () => Promise.reject(new Error('unused')) };
const real: Scenario = {
  name: 'customer_get',
  description: '',
  comparedTo: 'baseline',
  targets: { minRatio: 0.3, maxP99Ms: 25 },
  prepare: () => Promise.reject(new Error('unused')),
};

function measured(requestsPerSecond: number, p99Ms: number, errors = 0, cpuMsPerRequest?: number): Measurement {
  return {
    requestsPerSecond,
    p50Ms: p99Ms / 3,
    p95Ms: p99Ms / 2,
    p99Ms,
    responses: 1000,
    non2xx: errors,
    invalid: 0,
    transport: 0,
    samples: [],
    cpuMsPerRequest,
  };
}

describe('report', () => {
  const results: RunResult[] = [
    { run: 1, scenario: base, measurement: measured(10_000, 5) },
    { run: 1, scenario: real, measurement: measured(4_000, 12, 0, 0.25) },
    { run: 2, scenario: base, measurement: measured(12_000, 6) },
    { run: 2, scenario: real, measurement: measured(3_000, 14, 0, 0.3125) },
  ];

  it('divides by the baseline of the same run', () => {
    expect(ratioOf(results[1] as RunResult, results)).toBe(0.4);
    expect(ratioOf(results[3] as RunResult, results)).toBe(0.25);
    expect(ratioOf(results[0] as RunResult, results)).toBeUndefined();
  });

  it('checks the p50 added over the reference of the same run', () => {
    const routed: Scenario = { ...real, name: 'routed', comparedTo: 'customer_get', targets: { maxAddedP50Ms: 1.5 } };
    const runs: RunResult[] = [
      { run: 1, scenario: real, measurement: measured(4_000, 12) },
      { run: 1, scenario: routed, measurement: measured(3_000, 15) },
      { run: 2, scenario: real, measurement: measured(4_000, 12) },
      { run: 2, scenario: routed, measurement: measured(3_000, 18) },
    ];
    expect(addedP50Of(runs[1] as RunResult, runs)).toBeCloseTo(1, 9);
    expect(addedP50Of(runs[0] as RunResult, runs)).toBeUndefined();
    expect(verdicts(runs)[1]).toEqual({ scenario: 'routed', outcome: 'PASS', reason: 'p50 +1.5 ms over customer_get (target <= 1.5 ms)' });
    const slower = runs.map((result) => (result.scenario === routed ? { ...result, measurement: measured(3_000, 19.5) } : result));
    expect(verdicts(slower)[1]).toEqual({ scenario: 'routed', outcome: 'FAIL', reason: 'p50 +2.5 ms over customer_get (target <= 1.5 ms)' });
  });

  it('checks an absolute throughput target on the median', () => {
    const orders: Scenario = { ...real, name: 'order_place', comparedTo: undefined, targets: { minRequestsPerSecond: 50, maxP99Ms: 1000 } };
    const runs = (rates: number[]): RunResult[] => rates.map((rate, index) => ({ run: index + 1, scenario: orders, measurement: measured(rate, 600) }));
    expect(verdicts(runs([40, 55, 60]))[0]).toEqual({
      scenario: 'order_place',
      outcome: 'PASS',
      reason: '55 req/s (target >= 50), p99 600.0 ms (target < 1000 ms)',
    });
    expect(verdicts(runs([40, 45, 60]))[0]).toEqual({
      scenario: 'order_place',
      outcome: 'FAIL',
      reason: '45 req/s (target >= 50), p99 600.0 ms (target < 1000 ms)',
    });
  });

  it('takes medians', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('prints one row per scenario and run', () => {
    expect(renderTable(results).split('\n')).toEqual([
      'run  scenario      req/s  p50 ms  p95 ms  p99 ms  cpu ms/req  errors  vs baseline',
      '1    baseline      10000     1.7     2.5     5.0           -       0',
      '1    customer_get   4000     4.0     6.0    12.0       0.250       0        0.40x',
      '2    baseline      12000     2.0     3.0     6.0           -       0',
      '2    customer_get   3000     4.7     7.0    14.0       0.313       0        0.25x',
    ]);
  });

  it('prints the spread over runs', () => {
    const rows = renderSpread(results)
      .split('\n')
      .map((line) => line.trim().split(/ {2,}/));
    expect(rows).toEqual([
      [
        'scenario',
        'req/s median (min-max)',
        'p95 ms median (min-max)',
        'p99 ms median (min-max)',
        'cpu ms/req median (min-max)',
        'vs baseline median (min-max)',
      ],
      ['baseline', '11000 (10000-12000)', '2.8 (2.5-3.0)', '5.5 (5.0-6.0)', '-'],
      ['customer_get', '3500 (3000-4000)', '6.5 (6.0-7.0)', '13.0 (12.0-14.0)', '0.281 (0.250-0.313)', '0.33x (0.25-0.40)'],
    ]);
  });

  it('passes on the medians of ratio and p99', () => {
    expect(verdicts(results)).toEqual([
      { scenario: 'baseline', outcome: 'INFO', reason: 'no targets' },
      { scenario: 'customer_get', outcome: 'PASS', reason: 'ratio 0.33 (target >= 0.30), p99 13.0 ms (target < 25 ms)' },
    ]);
  });

  it('fails a missed target and calls a run with errors invalid', () => {
    const slow: RunResult[] = [
      { run: 1, scenario: base, measurement: measured(10_000, 5) },
      { run: 1, scenario: real, measurement: measured(2_000, 30) },
    ];
    expect(verdicts(slow)[1]).toEqual({
      scenario: 'customer_get',
      outcome: 'FAIL',
      reason: 'ratio 0.20 (target >= 0.30), p99 30.0 ms (target < 25 ms)',
    });
    const broken: RunResult[] = [
      { run: 1, scenario: base, measurement: measured(10_000, 5) },
      { run: 1, scenario: real, measurement: measured(4_000, 10, 7) },
    ];
    expect(verdicts(broken)[1]).toEqual({ scenario: 'customer_get', outcome: 'INVALID', reason: '1 of 1 run(s) had errors' });
    expect(renderTable(broken).split('\n')[2]).toContain('7 INVALID');
  });
});
