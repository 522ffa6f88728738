import { orderIdSchema, orderResource } from '@mcpfed/contract-order';
import { AppError } from '@mcpfed/errors';
import { resourceBinder } from '@mcpfed/mcp-runtime';
import type { ResourceBinding } from '@mcpfed/mcp-runtime';
import { orderIdCompleter } from '../service/order-id-completer.ts';
import type { OrderService } from '../service/order-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';

/** `order://{id}`: the order_get JSON. An unknown or malformed id is NOT_FOUND. */
export function orderResourceBinding(orders: OrderService): ResourceBinding<OrderDatabase> {
  return resourceBinder<OrderDatabase>()(
    orderResource,
    async (uri, params, ctx) => {
      const id = orderIdSchema.safeParse(params['id']);
      if (!id.success) {
        throw new AppError('NOT_FOUND', `No order resource ${uri}; order ids look like ord_01j9z3k8q4m2n6p7r8s9t0v1w2.`, { details: { uri } });
      }
      return [{ uri, mimeType: 'application/json', text: JSON.stringify(await orders.get({ order_id: id.data }, ctx)) }];
    },
    { complete: { id: orderIdCompleter } },
  );
}
