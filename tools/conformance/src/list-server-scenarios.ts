import { execFile } from 'node:child_process';

/** A line of `conformance list --server`: `  - <name> [<spec versions>]`. */
const SCENARIO_LINE = /^\s+- (\S+)(?: \[[^\]]*\])?\s*$/;

/**
 * The server scenarios the suite (`conformanceBin`, run with `node`) offers, as `conformance list --server` prints
 * them: what `CONFORMANCE_SCENARIOS` and `SKIPPED_SCENARIOS` together must cover, so a scenario a newer
 * suite adds is either run or skipped with a reason, never silently left out. Rejects when the suite fails or lists
 * nothing.
 */
export async function listServerScenarios(conformanceBin: string): Promise<string[]> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [conformanceBin, 'list', '--server'], { timeout: 30_000 }, (error, out, stderr) => {
      if (error === null) resolve(out);
      else reject(new Error(`conformance list --server failed: ${error.message.split('\n')[0] ?? ''}\n${stderr.trimEnd()}`));
    });
  });
  const names = stdout.split('\n').flatMap((line) => SCENARIO_LINE.exec(line)?.[1] ?? []);
  if (names.length === 0) throw new Error(`conformance list --server listed no scenarios:\n${stdout.trimEnd()}`);
  return names;
}
