import { execFile } from 'node:child_process';
import type { ExecFileException } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAuthProxy } from './auth-proxy.ts';

/** An MCP endpoint to test and a token it accepts. */
export interface ConformanceTarget {
  name: string;
  /** The endpoint, e.g. http://127.0.0.1:8080/mcp. */
  url: string;
  token: string;
}

/** What one scenario found at one endpoint. */
export interface ScenarioOutcome {
  target: string;
  scenario: string;
  /** Checks that passed (SUCCESS). */
  passed: number;
  /** Checks that failed, with their messages; also why the suite wrote no checks (its exit and last stderr lines). */
  failures: string[];
}

/** One check as the suite writes it to checks.json. */
interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

/** How the suite's process ended. */
interface SuiteRun {
  error: ExecFileException | null;
  stderr: string;
}

/** How many of the suite's first and last stderr lines go into a failure (its error, then e.g. a scenario list). */
const STDERR_HEAD = 5;
const STDERR_TAIL = 10;

/**
 * Runs each scenario of the suite (`conformanceBin`, run with `node`) against each target through an
 * {@link startAuthProxy}, one at a time, and reads the checks the suite wrote. A suite that exits abnormally or
 * writes no checks is a failure of that scenario naming why, not an empty pass or a rejected run.
 */
export async function runConformance(targets: readonly ConformanceTarget[], scenarios: readonly string[], conformanceBin: string): Promise<ScenarioOutcome[]> {
  const outcomes: ScenarioOutcome[] = [];
  for (const target of targets) {
    const endpoint = new URL(target.url);
    const proxy = await startAuthProxy(endpoint.origin, target.token);
    try {
      for (const scenario of scenarios) {
        const dir = await mkdtemp(path.join(tmpdir(), 'mcpfed-conformance-'));
        try {
          const run = await new Promise<SuiteRun>((resolve) => {
            execFile(
              process.execPath,
              [conformanceBin, 'server', '--url', `${proxy.url}${endpoint.pathname}`, '--scenario', scenario, '-o', dir],
              { timeout: 60_000 },
              (error, _stdout, stderr) => resolve({ error, stderr }),
            );
          });
          const { checks, missing } = await readChecks(dir);
          const failures = checks.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${c.errorMessage ?? 'failed'}`);
          if (missing !== undefined) failures.push(missing);
          else if (checks.length === 0) failures.push('the suite wrote no checks');
          if (run.error !== null) failures.push(describeExit(run));
          outcomes.push({ target: target.name, scenario, passed: checks.filter((c) => c.status === 'SUCCESS').length, failures });
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
    } finally {
      await proxy.close();
    }
  }
  return outcomes;
}

/** The checks of the one run folder the suite wrote into `dir`, or why there are none. */
async function readChecks(dir: string): Promise<{ checks: Check[]; missing?: string }> {
  const runs = await readdir(dir);
  if (runs.length === 0) return { checks: [], missing: 'the suite wrote no run folder (no checks)' };
  const file = path.join(dir, runs[0] ?? '', 'checks.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { checks: [], missing: `the suite wrote no checks.json (no checks): ${(error as Error).message}` };
  }
  try {
    const checks = JSON.parse(text) as unknown;
    if (!Array.isArray(checks)) return { checks: [], missing: 'the suite wrote a checks.json that is not a list (no checks)' };
    return { checks: checks as Check[] };
  } catch (error) {
    return { checks: [], missing: `the suite wrote an unreadable checks.json (no checks): ${(error as Error).message}` };
  }
}

/** The suite's abnormal end: its error (exit code, signal or time-out) and the last lines it wrote to stderr. */
function describeExit({ error, stderr }: SuiteRun): string {
  const code = error?.code;
  const how =
    error?.killed === true
      ? `was stopped (${error.signal ?? 'signal'}) after the 60 s time-out`
      : typeof code === 'number'
        ? `exited with code ${code}`
        : `failed (${code ?? error?.signal ?? 'error'})`;
  const message = (error?.message ?? '').split('\n')[0] ?? '';
  const lines = stderr.trimEnd() === '' ? [] : stderr.trimEnd().split('\n');
  const shown = lines.length <= STDERR_HEAD + STDERR_TAIL ? lines : [...lines.slice(0, STDERR_HEAD), '…', ...lines.slice(-STDERR_TAIL)];
  return [`the suite ${how}: ${message}`, ...shown].join('\n');
}
