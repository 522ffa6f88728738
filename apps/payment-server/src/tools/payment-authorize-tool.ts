import { paymentAuthorize } from '@mcpfed/contract-payment';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentService } from '../service/payment-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { PROVIDER_CALL, bindTool, callerOf, paymentLink } from './bind.ts';

/** payment_authorize -> PaymentService.authorize (own idempotency and transactions around the provider call). */
export function paymentAuthorizeTool(payments: PaymentService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentAuthorize, (input, ctx) => payments.authorize(input, callerOf(ctx)), {
    ...PROVIDER_CALL,
    links: (output) => [paymentLink(output.payment.id)],
  });
}
