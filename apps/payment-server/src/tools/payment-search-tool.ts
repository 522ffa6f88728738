import { paymentSearch } from '@mcpfed/contract-payment';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentQueryService } from '../service/payment-query-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { bindTool, paymentLink } from './bind.ts';

/** payment_search -> PaymentQueryService.search. */
export function paymentSearchTool(queries: PaymentQueryService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentSearch, (input, ctx) => queries.search(input, ctx), {
    links: (output) => output.items.map((item) => paymentLink(item.id)),
  });
}
