import type { CallStats, HarnessReport } from './run-faults.ts';

const seconds = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);
const percent = (stats: CallStats | undefined): string => (stats === undefined ? '—' : `${(stats.errorRate * 100).toFixed(1)} % of ${stats.calls}`);

/** The report as the operator reads it: one table of faults, then each fault's checks. */
export function renderReport(report: HarnessReport): string {
  const lines: string[] = [];
  lines.push(`Fault harness against ${report.routerMcpUrl}`);
  lines.push(`baseline: ${percent(report.baseline)} calls failed`);
  lines.push('');
  const header = ['fault', 'fault lasted', 'recovered (read / checkout)', 'errors during', 'invariants'];
  const rows = report.faults.map((fault) => [
    fault.name,
    fault.status === 'skipped' ? 'skipped' : seconds(fault.faultMs),
    fault.status === 'skipped' ? '' : `${seconds(fault.recovery?.readMs)} / ${seconds(fault.recovery?.checkoutMs)}`,
    fault.status === 'skipped' ? '' : percent(fault.during),
    fault.status === 'skipped' ? '' : `${fault.checks.filter((check) => check.ok).length}/${fault.checks.length} held`,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  for (const row of [header, ...rows])
    lines.push(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  for (const fault of report.faults) {
    lines.push('');
    lines.push(`${fault.name}: ${fault.detail}`);
    const codes = Object.entries(fault.during?.codes ?? {}).map(([code, n]) => `${code} ${n}`);
    if (codes.length > 0) lines.push(`  failures during: ${codes.join(', ')}`);
    for (const check of fault.checks) lines.push(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
  }
  lines.push('');
  lines.push(report.ok ? 'every invariant held' : 'SOME INVARIANTS FAILED');
  return lines.join('\n');
}
