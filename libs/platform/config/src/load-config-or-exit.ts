import type { z } from 'zod';
import { ConfigError } from './config-error.ts';
import { parseConfig } from './parse-config.ts';

/** Exit status for a configuration error (sysexits.h `EX_CONFIG`). */
export const EX_CONFIG = 78;

/**
 * For an app's `main.ts`: {@link parseConfig}, and on a {@link ConfigError} write its one line and stop
 * the process with exit code 78 (`EX_CONFIG`), so a supervisor sees a configuration fault rather than
 * a crash. Any other error is rethrown. This and {@link exitOnConfigError} are the only functions of the library that touch
 * `process` (`process.exit`, and `process.stderr` in the default writer); everything else is pure.
 * @param schema The app's environment schema.
 * @param env The environment, normally `process.env`.
 * @param write Where the line goes. Default: stderr (stdout is the MCP channel under `--stdio`).
 */
export function loadConfigOrExit<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): z.output<S> {
  return exitOnConfigError(() => parseConfig(schema, env), write);
}

/**
 * For an app's `main.ts`: runs `build` (wiring that checks settings against each other, e.g. a secret that needs an
 * issuer) and on a {@link ConfigError} writes its one line and stops the process with exit code 78, as
 * {@link loadConfigOrExit} does. Any other error is rethrown.
 */
export function exitOnConfigError<T>(build: () => T, write: (line: string) => void = (line) => process.stderr.write(line + '\n')): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    write(error.message);
    return process.exit(EX_CONFIG);
  }
}
