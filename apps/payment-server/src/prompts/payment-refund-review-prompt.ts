import { paymentRefundReview } from '@mcpfed/contract-payment';
import { promptBinder } from '@mcpfed/mcp-runtime';
import type { PromptBinding } from '@mcpfed/mcp-runtime';
import { paymentIdCompleter } from '../service/payment-id-completer.ts';
import type { PaymentQueryService } from '../service/payment-query-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';

/** payment_refund_review: the payment, its refunds and what the caller may refund now, with the reviewer's task. */
export function paymentRefundReviewPrompt(queries: PaymentQueryService): PromptBinding<PaymentDatabase> {
  return promptBinder<PaymentDatabase>()(
    paymentRefundReview,
    async (args, ctx) => {
      const payment = await queries.detail(args.payment_id, ctx);
      const refundable = await queries.refundable({ payment_id: args.payment_id }, ctx);
      const text = [
        `Review a refund request for payment ${payment.id} (order ${payment.order_ref}).`,
        '',
        `Every amount below is in integer minor units of ${payment.currency} (e.g. 1999 = 19.99).`,
        'Answer with: (1) whether a refund is possible now and, if not, why (not_refundable_reason);',
        '(2) the amount you recommend (at most max_refund_now) and one reason code: requested_by_customer, duplicate,',
        'fraudulent, order_canceled, product_not_received, product_unacceptable or other;',
        `(3) whether it needs a person's approval (amount above ${refundable.confirmation_threshold}): then payment_refund`,
        '    refunds nothing at first and answers approval.approval_url; give the user that link to approve or decline,',
        '    then repeat the SAME call (same idempotency_key and arguments) for the outcome. Never approve for the user;',
        '(4) the exact payment_refund arguments, with one new idempotency_key reused for any retry of the same refund.',
        'Flag anything odd (earlier refunds, refunds still pending, an amount close to the whole payment).',
        'An uncaptured payment cannot be refunded: release it with payment_void instead.',
        '',
        'Payment with its latest refunds (JSON):',
        JSON.stringify(payment, null, 2),
        '',
        'What is refundable now, and your limits (JSON):',
        JSON.stringify(refundable, null, 2),
      ].join('\n');
      return {
        description: `Refund review of payment ${payment.id}`,
        messages: [{ role: 'user', content: { type: 'text', text } }],
      };
    },
    { complete: { payment_id: paymentIdCompleter } },
  );
}
