import { customerReachOf, requireAnyCustomer } from '@mcpfed/auth';
import { paymentQuerySql } from '@mcpfed/contract-payment';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import { runAnalyticsQuery } from '../service/analytics-query.ts';
import type { AnalyticsQueryConfig } from '../service/analytics-query.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { bindTool } from './bind.ts';

/** payment_query_sql -> runAnalyticsQuery on the read-only role's pool. */
export function paymentQuerySqlTool(config: AnalyticsQueryConfig): ToolBinding<PaymentDatabase> {
  return bindTool(paymentQuerySql, (input, ctx) => {
    // The analytics views span every customer: a bound caller, or one without customer:any, may not read them.
    requireAnyCustomer(customerReachOf(ctx.principal), 'payment_query_sql');
    return runAnalyticsQuery(config, input, ctx.signal);
  });
}
