import { paymentBalanceSummary } from '@mcpfed/contract-payment';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentQueryService } from '../service/payment-query-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { bindTool } from './bind.ts';

/** payment_balance_summary -> PaymentQueryService.balanceSummary. */
export function paymentBalanceSummaryTool(queries: PaymentQueryService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentBalanceSummary, (input, ctx) => queries.balanceSummary(input, ctx));
}
