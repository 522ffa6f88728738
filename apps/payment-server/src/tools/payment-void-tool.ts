import { paymentVoid } from '@mcpfed/contract-payment';
import { OWN_TRANSACTIONS } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentService } from '../service/payment-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { bindTool, paymentLink } from './bind.ts';

/** payment_void -> PaymentService.void. */
export function paymentVoidTool(payments: PaymentService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentVoid, (input, ctx) => payments.void(input, ctx), {
    ...OWN_TRANSACTIONS,
    links: (output) => [paymentLink(output.payment.id)],
  });
}
