import { errorCount } from './measure.ts';
import type { Measurement } from './measure.ts';
import type { Scenario } from './scenarios/scenario.ts';

/** One measured row: a scenario in one run. */
export interface RunResult {
  /** 1-based run number. */
  readonly run: number;
  /** The scenario measured. */
  readonly scenario: Scenario;
  /** What was measured. */
  readonly measurement: Measurement;
}

/** The verdict of one scenario over all runs. */
export interface Verdict {
  /** Scenario name. */
  readonly scenario: string;
  /** PASS, FAIL (a target missed), INVALID (a run had errors) or INFO (no targets). */
  readonly outcome: 'PASS' | 'FAIL' | 'INVALID' | 'INFO';
  /** Why, in words. */
  readonly reason: string;
}

/** req/s of `result` divided by that of the scenario it is compared to in the same run. */
export function ratioOf(result: RunResult, results: readonly RunResult[]): number | undefined {
  const base = results.find((other) => other.run === result.run && other.scenario.name === result.scenario.comparedTo);
  if (base === undefined || base.measurement.requestsPerSecond <= 0) return undefined;
  return result.measurement.requestsPerSecond / base.measurement.requestsPerSecond;
}

/** p50 of `result` minus that of the scenario it is compared to in the same run, in milliseconds. */
export function addedP50Of(result: RunResult, results: readonly RunResult[]): number | undefined {
  const base = results.find((other) => other.run === result.run && other.scenario.name === result.scenario.comparedTo);
  return base === undefined ? undefined : result.measurement.p50Ms - base.measurement.p50Ms;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The per-run table: scenario, req/s, p50, p95, p99, errors, ratio to its baseline. */
export function renderTable(results: readonly RunResult[]): string {
  const header = ['run', 'scenario', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'cpu ms/req', 'errors', 'vs baseline'];
  const rows = results.map((result) => {
    const ratio = ratioOf(result, results);
    const errors = errorCount(result.measurement);
    return [
      String(result.run),
      result.scenario.name,
      result.measurement.requestsPerSecond.toFixed(0),
      result.measurement.p50Ms.toFixed(1),
      result.measurement.p95Ms.toFixed(1),
      result.measurement.p99Ms.toFixed(1),
      cpuCell(result.measurement.cpuMsPerRequest),
      errors === 0 ? '0' : `${errors} INVALID`,
      ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
    ];
  });
  return formatColumns([header, ...rows], [false, false, true, true, true, true, true, true, true]);
}

/** Median and spread (min–max) per scenario over several runs. */
export function renderSpread(results: readonly RunResult[]): string {
  const names = [...new Set(results.map((result) => result.scenario.name))];
  const header = [
    'scenario',
    'req/s median (min-max)',
    'p95 ms median (min-max)',
    'p99 ms median (min-max)',
    'cpu ms/req median (min-max)',
    'vs baseline median (min-max)',
  ];
  const rows = names.map((name) => {
    const mine = results.filter((result) => result.scenario.name === name);
    const rps = mine.map((result) => result.measurement.requestsPerSecond);
    const p95 = mine.map((result) => result.measurement.p95Ms);
    const p99 = mine.map((result) => result.measurement.p99Ms);
    const cpu = mine.map((result) => result.measurement.cpuMsPerRequest).filter((ms): ms is number => ms !== undefined);
    const ratios = mine.map((result) => ratioOf(result, results)).filter((ratio): ratio is number => ratio !== undefined);
    return [name, spread(rps, 0), spread(p95, 1), spread(p99, 1), cpu.length === 0 ? '-' : spread(cpu, 3), ratios.length === 0 ? '' : spread(ratios, 2, 'x')];
  });
  return formatColumns([header, ...rows], [false, true, true, true, true, true]);
}

/** PASS/FAIL per scenario against its targets, on the medians over all runs; any run with errors is INVALID. */
export function verdicts(results: readonly RunResult[]): Verdict[] {
  const names = [...new Set(results.map((result) => result.scenario.name))];
  return names.map((name) => {
    const mine = results.filter((result) => result.scenario.name === name);
    const scenario = mine[0]?.scenario;
    const broken = mine.filter((result) => errorCount(result.measurement) > 0);
    if (broken.length > 0) {
      return { scenario: name, outcome: 'INVALID', reason: `${broken.length} of ${mine.length} run(s) had errors` };
    }
    const targets = scenario?.targets;
    if (targets === undefined) return { scenario: name, outcome: 'INFO', reason: 'no targets' };
    const misses: string[] = [];
    const checks: string[] = [];
    if (targets.minRatio !== undefined) {
      const ratios = mine.map((result) => ratioOf(result, results)).filter((ratio): ratio is number => ratio !== undefined);
      if (ratios.length === 0) {
        misses.push(`no ${scenario?.comparedTo ?? 'baseline'} measured in the same run`);
      } else {
        const ratio = median(ratios);
        const text = `ratio ${ratio.toFixed(2)} (target >= ${targets.minRatio.toFixed(2)})`;
        (ratio >= targets.minRatio ? checks : misses).push(text);
      }
    }
    if (targets.minRequestsPerSecond !== undefined) {
      const rps = median(mine.map((result) => result.measurement.requestsPerSecond));
      const text = `${rps.toFixed(0)} req/s (target >= ${targets.minRequestsPerSecond})`;
      (rps >= targets.minRequestsPerSecond ? checks : misses).push(text);
    }
    if (targets.maxAddedP50Ms !== undefined) {
      const added = mine.map((result) => addedP50Of(result, results)).filter((ms): ms is number => ms !== undefined);
      if (added.length === 0) {
        misses.push(`no ${scenario?.comparedTo ?? 'baseline'} measured in the same run`);
      } else {
        const ms = median(added);
        const text = `p50 +${ms.toFixed(1)} ms over ${scenario?.comparedTo ?? 'baseline'} (target <= ${targets.maxAddedP50Ms} ms)`;
        (ms <= targets.maxAddedP50Ms ? checks : misses).push(text);
      }
    }
    if (targets.maxP95Ms !== undefined) {
      const p95 = median(mine.map((result) => result.measurement.p95Ms));
      const text = `p95 ${p95.toFixed(1)} ms (target < ${targets.maxP95Ms} ms)`;
      (p95 < targets.maxP95Ms ? checks : misses).push(text);
    }
    if (targets.maxP99Ms !== undefined) {
      const p99 = median(mine.map((result) => result.measurement.p99Ms));
      const text = `p99 ${p99.toFixed(1)} ms (target < ${targets.maxP99Ms} ms)`;
      (p99 < targets.maxP99Ms ? checks : misses).push(text);
    }
    return misses.length === 0
      ? { scenario: name, outcome: 'PASS', reason: checks.join(', ') }
      : { scenario: name, outcome: 'FAIL', reason: [...misses, ...checks].join(', ') };
  });
}

/** CPU milliseconds per request with three decimals (a customer_get costs well under one), `-` when unknown. */
function cpuCell(ms: number | undefined): string {
  return ms === undefined ? '-' : ms.toFixed(3);
}

function spread(values: readonly number[], digits: number, unit = ''): string {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return `${median(values).toFixed(digits)}${unit} (${min.toFixed(digits)}-${max.toFixed(digits)})`;
}

function formatColumns(rows: readonly string[][], rightAligned: readonly boolean[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (rightAligned[column] === true ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
