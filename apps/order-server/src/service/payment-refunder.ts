import type { z } from 'zod';
import { paymentRefund } from '@mcpfed/contract-payment';
import { AppError } from '@mcpfed/errors';
import type { UpstreamCallContext, UpstreamClient } from './upstreams.ts';

/** What to refund. */
export interface RefundRequest {
  paymentId: string;
  amount: number;
  currency: string;
  reason: z.input<typeof paymentRefund.input>['reason'];
  idempotencyKey: string;
}

/**
 * Refunds through payment_refund, handling its confirmation rule: the real call goes first (a retry with the same
 * key replays it); only when the payment server asks for a confirm_token does it run the dry run and repeat the
 * call with the token. The order server is the one asking, on an order the caller was allowed to refund.
 */
export async function refundPayment(
  payment: UpstreamClient,
  request: RefundRequest,
  context: UpstreamCallContext,
): Promise<z.output<typeof paymentRefund.output>> {
  const input = {
    payment_id: request.paymentId,
    amount: request.amount,
    currency: request.currency as z.input<typeof paymentRefund.input>['currency'],
    reason: request.reason,
    idempotency_key: request.idempotencyKey,
  };
  try {
    return await payment.call(paymentRefund, input, context);
  } catch (error) {
    if (!AppError.is(error) || error.code !== 'PRECONDITION_FAILED') throw error;
    const preview = await payment.call(paymentRefund, { ...input, dry_run: true }, context);
    if (!preview.requires_confirmation || preview.confirm_token === null) throw error;
    return payment.call(paymentRefund, { ...input, confirm_token: preview.confirm_token }, context);
  }
}
