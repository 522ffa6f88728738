import { paymentMethodAttach } from '@mcpfed/contract-payment';
import { OWN_TRANSACTIONS } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentMethodService } from '../service/payment-method-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { bindTool } from './bind.ts';

/** payment_method_attach -> PaymentMethodService.attach (calls the provider: no runtime transaction). */
export function paymentMethodAttachTool(methods: PaymentMethodService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentMethodAttach, (input, ctx) => methods.attach(input, ctx), OWN_TRANSACTIONS);
}
