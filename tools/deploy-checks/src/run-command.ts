import { execFile } from 'node:child_process';

/** What a finished command printed and how it exited. */
export interface CommandResult {
  /** Exit status; -1 when the process could not be started or was killed. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** Working directory. Default: the current one. */
  readonly cwd?: string;
  /** Added to the current environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill after this many milliseconds. Default 120000. */
  readonly timeoutMs?: number;
  /** Written to the command's standard input, which is then closed. Default: nothing. */
  readonly stdin?: string;
  /** Kills the command when aborted (it then resolves with code -1). Default: none. */
  readonly signal?: AbortSignal;
}

/** Runs `command args…` to completion (no shell) and resolves with its exit status and output; never rejects. */
export function runCommand(command: string, args: readonly string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      [...args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr: error !== null && code === -1 ? `${stderr}${error.message}` : stderr });
      },
    );
    // A child that exits without reading its input closes the pipe first: that EPIPE is not the command's failure.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.stdin ?? '');
  });
}

/**
 * Resolves when `command --version`-like `probe` runs; otherwise rejects with one line naming the tool and how
 * to get it, so a machine without it fails clearly instead of skipping the check.
 */
export async function requireTool(command: string, probe: readonly string[], howToInstall: string): Promise<void> {
  const result = await runCommand(command, probe, { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`${command} is needed for this check and does not run here (${howToInstall})`);
}
