import { paymentGet } from '@mcpfed/contract-payment';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentQueryService } from '../service/payment-query-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { bindTool, paymentLink } from './bind.ts';

/** payment_get -> PaymentQueryService.get. */
export function paymentGetTool(queries: PaymentQueryService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentGet, (input, ctx) => queries.get(input, ctx), { links: (output) => [paymentLink(output.id)] });
}
