import { paymentIdSchema, paymentResource } from '@mcpfed/contract-payment';
import { AppError } from '@mcpfed/errors';
import { resourceBinder } from '@mcpfed/mcp-runtime';
import type { ResourceBinding } from '@mcpfed/mcp-runtime';
import { paymentIdCompleter } from '../service/payment-id-completer.ts';
import type { PaymentQueryService } from '../service/payment-query-service.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';

/** `payment://{id}`: the payment_get JSON. An unknown or malformed id is NOT_FOUND. */
export function paymentResourceBinding(queries: PaymentQueryService): ResourceBinding<PaymentDatabase> {
  return resourceBinder<PaymentDatabase>()(
    paymentResource,
    async (uri, params, ctx) => {
      const id = paymentIdSchema.safeParse(params['id']);
      if (!id.success) {
        throw new AppError('NOT_FOUND', `No payment resource ${uri}; payment ids look like pay_01j9z3k8q4m2n6p7r8s9t0v1w2.`, { details: { uri } });
      }
      const payment = await queries.detail(id.data, ctx);
      return [{ uri, mimeType: 'application/json', text: JSON.stringify(payment) }];
    },
    { complete: { id: paymentIdCompleter } },
  );
}
