import { paymentMethodAttach } from '@mcpfed/contract-payment';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { PaymentMethodService } from '../service/payment-method-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { PROVIDER_CALL, bindTool, callerOf } from './bind.ts';

/** payment_method_attach -> PaymentMethodService.attach (calls the provider: no runtime transaction). */
export function paymentMethodAttachTool(methods: PaymentMethodService): ToolBinding<PaymentDatabase> {
  return bindTool(paymentMethodAttach, (input, ctx) => methods.attach(input, callerOf(ctx)), PROVIDER_CALL);
}
