import { jobContext, systemPrincipal } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import type { ReconciliationService } from '../service/reconciliation-service.ts';

/** Principal of the sweep's own work, `system:reconciler` (the expiry voids it makes are `system:expiry`'s). */
const SWEEP_PRINCIPAL = systemPrincipal('reconciler');

/** A running sweep loop. */
export interface ReconcilerLoop {
  /** Stops scheduling sweeps and waits for the one in flight. */
  stop(): Promise<void>;
}

/**
 * Sweeps every `intervalMs` (never two at once): pending operations left by crashes, timeouts or failed local
 * writes are finished, expired authorizations whose job was lost are voided. Every replica may run it; the
 * operation leases and row locks keep them from doing anything twice.
 */
export function startReconcilerLoop(options: { reconciliation: ReconciliationService; intervalMs: number; logger: Logger }): ReconcilerLoop {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = (): void => {
    running = options.reconciliation
      .sweep(jobContext({ principal: SWEEP_PRINCIPAL, log: options.logger, signal: controller.signal }))
      .then((report) => {
        const did = Object.values(report.operations).some((n) => n > 0) || Object.values(report.expirations).some((n) => n > 0);
        if (did) options.logger.info(report, 'payment sweep');
      })
      .catch((error: unknown) => options.logger.warn({ err: error }, 'payment sweep failed; retrying next interval'))
      .finally(() => {
        if (!controller.signal.aborted) timer = setTimeout(tick, options.intervalMs).unref();
      });
  };
  timer = setTimeout(tick, options.intervalMs).unref();
  return {
    async stop() {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
