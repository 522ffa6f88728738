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
 * Refunds through payment_refund (a retry with the same key replays it). A refund the payment server puts to a
 * person is made only after that person approved it there; an approval still pending (or asked for anew) refunds
 * nothing and is refused here, not retried: the order operation asks its caller first (order_refund, order_cancel).
 */
export async function refundPayment(
  payment: UpstreamClient,
  request: RefundRequest,
  context: UpstreamCallContext,
): Promise<z.output<typeof paymentRefund.output>> {
  const result = await payment.call(
    paymentRefund,
    {
      payment_id: request.paymentId,
      amount: request.amount,
      currency: request.currency as z.input<typeof paymentRefund.input>['currency'],
      reason: request.reason,
      idempotency_key: request.idempotencyKey,
    },
    context,
  );
  if (result.approval !== undefined) {
    throw new AppError(
      'PRECONDITION_FAILED',
      'This refund waits for a person to approve it on the payment server; nothing was refunded. Call again with the same idempotency_key to get the approval link.',
      {
        details: { approval: 'pending', approval_id: result.approval.approval_id },
      },
    );
  }
  return result;
}
