import path from 'node:path';
import { freePort } from '@mcpfed/dev-stack';
import { spawnServer } from '@mcpfed/testing';
import type { BenchContext } from '../bench-context.ts';
import { cpuSecondsOf } from '../process-cpu.ts';
import type { RunningTarget } from './scenario.ts';

/** How to start the server of one measurement. */
export interface TargetSpec {
  /** Name in messages and of its log file (`<name>-run<N>.log` in the bench's work directory). */
  readonly name: string;
  /** 1-based run number. */
  readonly run: number;
  /** Node arguments: the script and its arguments (relative paths from the repository root). */
  readonly args: readonly string[];
  /** Its environment, given the port it must listen on. */
  env(port: number): Promise<Record<string, string>> | Record<string, string>;
  /** Path that answers 200 once it is ready, e.g. `/readyz`. */
  readonly readyPath: string;
}

/** Starts a server on a free port and waits until it is ready; requests go to its `/mcp`. */
export async function startMcpTarget(context: BenchContext, spec: TargetSpec): Promise<RunningTarget> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await spawnServer({
    name: spec.name,
    args: spec.args,
    env: await spec.env(port),
    cwd: context.settings.repoRoot,
    logFile: path.join(context.settings.workDir, `${spec.name}-run${spec.run}.log`),
    port,
    readyPath: spec.readyPath,
  });
  return {
    url: `${base}/mcp`,
    tail: () => server.tail(),
    stop: () => server.stop(),
    cpuSeconds: () => {
      const pid = server.pid();
      return pid === undefined ? undefined : cpuSecondsOf([pid]);
    },
  };
}
