import { paymentReconcile } from '@mcpfed/contract-payment';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { ReconciliationService } from '../service/reconciliation-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { bindTool } from './bind.ts';

/** payment_reconcile -> ReconciliationService.reconcile (read-only). */
export function paymentReconcileTool(reconciliation: ReconciliationService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentReconcile, (input, ctx) => reconciliation.reconcile(input, ctx));
}
