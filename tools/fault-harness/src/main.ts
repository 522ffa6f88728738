/**
 * `npm run faults`: injects faults into a running stack (by default `npm start`'s, found through its
 * `.data/run/stack.json`) while a steady load of real calls goes through the router, then prints per fault the time
 * to recover, the error rate during it and the invariants checked in the databases. See ../README.md.
 * Exit codes: 0 every invariant held, 1 one failed (or a fault did not recover), 2 bad arguments or no stack.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HARNESS_USAGE, SettingsError, parseHarnessSettings } from './harness-settings.ts';
import { renderReport } from './report.ts';
import { runFaults } from './run-faults.ts';
import { resolveStackTarget } from './stack-target.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const log = (line: string): void => void process.stderr.write(`faults | ${line}\n`);

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HARNESS_USAGE}\n`);
    return 0;
  }
  try {
    const settings = parseHarnessSettings(argv, process.env, REPO_ROOT);
    const target = await resolveStackTarget(settings);
    const report = await runFaults(settings, target, log);
    process.stdout.write(`${renderReport(report)}\n`);
    if (settings.jsonFile !== undefined) await writeFile(settings.jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof SettingsError) {
      process.stderr.write(`faults: ${error.message}\n\n${HARNESS_USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main();
