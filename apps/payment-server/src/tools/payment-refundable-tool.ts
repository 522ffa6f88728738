import { paymentRefundable } from '@mcpfed/contract-payment';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentQueryService } from '../service/payment-query-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { bindTool, paymentLink } from './bind.ts';

/** payment_refundable -> PaymentQueryService.refundable. */
export function paymentRefundableTool(queries: PaymentQueryService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentRefundable, (input, ctx) => queries.refundable(input, ctx), {
    links: (output) => [paymentLink(output.payment_id)],
  });
}
