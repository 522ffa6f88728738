import { AppError } from '@mcpfed/errors';

const DAY_MS = 86_400_000;

/**
 * Refuses (VALIDATION_FAILED, on `from`) a window that is empty or longer than `maxDays`.
 * @param name How the refusal names a too long window, e.g. `The window` or `A reconcile window`.
 */
export function checkTimeWindow(from: Date, to: Date, maxDays: number, name: string): void {
  if (from >= to) throw new AppError('VALIDATION_FAILED', 'from must be before to.', { details: { issues: [{ path: 'from', message: 'must be before to' }] } });
  if (to.getTime() - from.getTime() > maxDays * DAY_MS) {
    throw new AppError('VALIDATION_FAILED', `${name} may be at most ${maxDays} days; split it.`, {
      details: { issues: [{ path: 'from', message: `window longer than ${maxDays} days` }] },
    });
  }
}
