import { paymentRefund } from '@mcpfed/contract-payment';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentService } from '../service/payment-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { PROVIDER_CALL, bindTool, callerOf, paymentLink } from './bind.ts';

/** payment_refund -> PaymentService.refund (a dry run changes nothing and returns a confirm_token). */
export function paymentRefundTool(payments: PaymentService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentRefund, (input, ctx) => payments.refund(input, callerOf(ctx)), {
    ...PROVIDER_CALL,
    links: (output) => [paymentLink(output.payment.id)],
  });
}
