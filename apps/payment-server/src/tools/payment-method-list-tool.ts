import { paymentMethodList } from '@mcpfed/contract-payment';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentMethodService } from '../service/payment-method-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { bindTool } from './bind.ts';

/** payment_method_list -> PaymentMethodService.list. */
export function paymentMethodListTool(methods: PaymentMethodService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentMethodList, (input, ctx) => methods.list(input, ctx));
}
