import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from './is-process-alive.ts';

/**
 * Process id of the postmaster the cluster in `dataDir` names in `postmaster.pid`, or undefined when there is no
 * such file or that process is gone (a stale file after a crash).
 */
export function runningPostmasterPid(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) ? pid : undefined;
}
