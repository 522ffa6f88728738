import { AppError } from '@mcpfed/errors';
import type { LimitedKind } from '../store/limit-usage-store.ts';

/** The LIMIT_EXCEEDED of an amount above the per-call maximum of an authorization or refund. */
export function perCallLimitExceeded(what: 'authorization' | 'refund', requested: number, max: number, currency: string): AppError {
  return new AppError('LIMIT_EXCEEDED', `A single ${what} may be at most ${max} minor units; ${requested} ${currency} is above it. Do not retry as is.`, {
    details: { limit: `per_call_${what}`, max_minor: max, requested_minor: requested, currency },
  });
}

/** The LIMIT_EXCEEDED of an amount that would take the caller past its rolling 24-hour limit. */
export function dailyLimitExceeded(kind: LimitedKind, requested: number, used: number, limit: number, currency: string): AppError {
  const what = kind === 'authorize' ? 'authorization' : 'refund';
  const remaining = Math.max(0, limit - used);
  return new AppError(
    'LIMIT_EXCEEDED',
    `This ${what} of ${requested} ${currency} minor units would exceed your rolling 24-hour ${what} limit of ${limit} (used ${used}, ${remaining} left). Do not retry as is; a smaller amount or a later time may pass.`,
    {
      details: {
        limit: `daily_${what}`,
        limit_minor: limit,
        used_minor: used,
        remaining_minor: remaining,
        requested_minor: requested,
        currency,
        window_hours: 24,
      },
    },
  );
}
