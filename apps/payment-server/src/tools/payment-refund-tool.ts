import { approvalElicitation } from '@mcpfed/approvals';
import { paymentRefund } from '@mcpfed/contract-payment';
import { OWN_TRANSACTIONS } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentService } from '../service/payment-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { bindTool, paymentLink } from './bind.ts';

/** payment_refund -> PaymentService.refund; a refund waiting for a person also links to its approval page. */
export function paymentRefundTool(payments: PaymentService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentRefund, (input, ctx) => payments.refund(input, ctx), {
    ...OWN_TRANSACTIONS,
    links: (output) => [
      paymentLink(output.payment.id),
      ...(output.approval === undefined
        ? []
        : [{ uri: output.approval.approval_url, name: output.approval.approval_id, title: 'Approve this refund (a person logs in)', mimeType: 'text/html' }]),
    ],
    elicitation: approvalElicitation,
  });
}
