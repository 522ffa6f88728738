import { paymentAuthorize } from '@mcpfed/contract-payment';
import { OWN_TRANSACTIONS } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentService } from '../service/payment-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { bindTool, paymentLink } from './bind.ts';

/** payment_authorize -> PaymentService.authorize (own idempotency and transactions around the provider call). */
export function paymentAuthorizeTool(payments: PaymentService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentAuthorize, (input, ctx) => payments.authorize(input, ctx), {
    ...OWN_TRANSACTIONS,
    links: (output) => [paymentLink(output.payment.id)],
  });
}
