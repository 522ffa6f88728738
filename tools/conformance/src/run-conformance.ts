import { execFile } from 'node:child_process';
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
  /** Checks that failed, with their messages. */
  failures: string[];
}

/**
 * Runs each scenario of the suite (`conformanceBin`, run with `node`) against each target through an
 * {@link startAuthProxy}, one at a time, and reads the checks the suite wrote.
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
          await new Promise<void>((resolve) => {
            execFile(process.execPath, [conformanceBin, 'server', '--url', `${proxy.url}${endpoint.pathname}`, '--scenario', scenario, '-o', dir], { timeout: 60_000 }, () => resolve());
          });
          const [run] = await readdir(dir);
          const checks = run === undefined ? [] : (JSON.parse(await readFile(path.join(dir, run, 'checks.json'), 'utf8')) as Array<{ id: string; status: string; errorMessage?: string }>);
          const failures = checks.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${c.errorMessage ?? 'failed'}`);
          if (checks.length === 0) failures.push('the suite wrote no checks');
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
