import { AppError } from '@mcpfed/errors';
import { systemPrincipal } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { MovementDeps } from './movement-deps.ts';
import { runVoid } from './void-payment.ts';
import type { ExpiryOutcome } from './void-payment.ts';

/** Principal of the automatic voids of expired authorizations: `system:expiry`, recorded on their operations. */
export const EXPIRY_PRINCIPAL = systemPrincipal('expiry');

/**
 * Voids an authorization that reached its expiry (the delayed job and the reconciler's sweep call this).
 * Idempotent with capture and void: a payment that is no longer authorized, or not yet due, is left alone.
 * Whoever runs it, the void is {@link EXPIRY_PRINCIPAL}'s with key `expire-<payment_id>`, so the job and the sweep
 * share one operation and the payment is voided once.
 */
export async function expireAuthorization(deps: Pick<MovementDeps, 'runner'>, paymentId: string, ctx: Pick<RequestContext, 'signal'>): Promise<ExpiryOutcome> {
  try {
    await runVoid(deps, paymentId, `expire-${paymentId}`, { payment_id: paymentId, reason: 'expired' }, 'expired', {
      principal: EXPIRY_PRINCIPAL,
      signal: ctx.signal,
    });
    return 'voided';
  } catch (error) {
    const reason = AppError.is(error) ? error.details?.['expiry'] : undefined;
    if (reason === 'not_authorized' || reason === 'not_due' || reason === 'busy') return reason;
    throw error;
  }
}
