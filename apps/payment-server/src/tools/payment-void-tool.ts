import { paymentVoid } from '@mcpfed/contract-payment';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentService } from '../service/payment-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { PROVIDER_CALL, bindTool, callerOf, paymentLink } from './bind.ts';

/** payment_void -> PaymentService.void. */
export function paymentVoidTool(payments: PaymentService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentVoid, (input, ctx) => payments.void(input, callerOf(ctx)), {
    ...PROVIDER_CALL,
    links: (output) => [paymentLink(output.payment.id)],
  });
}
