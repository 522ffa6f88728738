import type { Logger } from '@mcpfed/telemetry';

/** One step of a shutdown, run in order. */
export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/** Settings of {@link onShutdownSignal}. */
export interface ShutdownConfig {
  logger: Logger;
  /** Overall deadline for all steps, in milliseconds; past it the process exits with code 1. */
  timeoutMs: number;
  steps: readonly ShutdownStep[];
  /** Signals that start the shutdown. Default SIGTERM and SIGINT. */
  signals?: readonly NodeJS.Signals[];
  /** Exits the process; replaceable for tests. Default `process.exit`. */
  exit?: (code: number) => void;
}

/**
 * Runs the shutdown steps once, on the first signal: typically stop accepting and drain HTTP, flush the
 * audit log, stop workers, close pools. A second signal does not start a second shutdown. Returns the
 * function that runs the shutdown, for callers that end for other reasons (stdin closed).
 */
export function onShutdownSignal(config: ShutdownConfig): (reason: string) => Promise<void> {
  const exit = config.exit ?? ((code: number) => process.exit(code));
  let running: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    running ??= (async () => {
      config.logger.info({ reason }, 'shutting down');
      const deadline = setTimeout(() => {
        config.logger.error({ timeout_ms: config.timeoutMs }, 'shutdown deadline exceeded; exiting');
        exit(1);
      }, config.timeoutMs);
      deadline.unref();
      let code = 0;
      for (const step of config.steps) {
        try {
          await step.run();
        } catch (error) {
          code = 1;
          config.logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(deadline);
      config.logger.info({ code }, 'shutdown complete');
      exit(code);
    })();
    return running;
  };
  for (const signal of config.signals ?? ['SIGTERM', 'SIGINT']) process.once(signal, () => void shutdown(signal));
  return shutdown;
}
